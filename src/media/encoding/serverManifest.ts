import { XmlSyntaxError, attribute, escapeXml, parseXml } from './xml.js';
import type { XmlElement } from './xml.js';

/**
 * The SMIL 2.0 server manifest (`<name>.ism`) that tells dynamic packaging which MP4s hold the
 * renditions, in the shape Azure Media Services wrote: a `switch` of `video` and `audio`
 * elements, each naming an MP4 and the track inside it (`trackID`, 1-based as in the MP4), with
 * the bitrate in bits per second. Video entries also carry `MaxWidth`/`MaxHeight` params, as
 * Unified Streaming's manifests do, so a packager need not open the MP4 to learn the size.
 */

export interface ServerManifestVideo {
  src: string;
  /** Bits per second. */
  bitrate: number;
  width?: number;
  height?: number;
  trackId?: number;
  trackName?: string;
}

export interface ServerManifestAudio {
  src: string;
  bitrate: number;
  trackId?: number;
  trackName?: string;
  language?: string;
}

export interface ServerManifest {
  video: ServerManifestVideo[];
  audio: ServerManifestAudio[];
}

const SMIL_NAMESPACE = 'http://www.w3.org/2001/SMIL20/Language';

const param = (name: string, value: string | number): string =>
  `        <param name="${name}" value="${escapeXml(value)}" valuetype="data" />\n`;

export function serverManifestXml(manifest: ServerManifest): string {
  let body = '';
  for (const v of manifest.video) {
    body += `      <video src="${escapeXml(v.src)}" systemBitrate="${Math.round(v.bitrate)}">\n`;
    body += param('systemBitrate', Math.round(v.bitrate));
    if (v.trackId !== undefined) body += param('trackID', v.trackId);
    body += param('trackName', v.trackName ?? 'video');
    if (v.width !== undefined) body += param('MaxWidth', v.width);
    if (v.height !== undefined) body += param('MaxHeight', v.height);
    body += '      </video>\n';
  }
  for (const a of manifest.audio) {
    const language = a.language ?? 'und';
    body += `      <audio src="${escapeXml(a.src)}" systemBitrate="${Math.round(a.bitrate)}" systemLanguage="${escapeXml(language)}">\n`;
    body += param('systemBitrate', Math.round(a.bitrate));
    if (a.trackId !== undefined) body += param('trackID', a.trackId);
    body += param('trackName', a.trackName ?? 'audio');
    body += param('systemLanguage', language);
    body += '      </audio>\n';
  }
  return (
    '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n' +
    `<smil xmlns="${SMIL_NAMESPACE}">\n` +
    '  <head>\n' +
    '    <meta name="formats" content="mp4-v2" />\n' +
    '  </head>\n' +
    '  <body>\n' +
    '    <switch>\n' +
    body +
    '    </switch>\n' +
    '  </body>\n' +
    '</smil>\n'
  );
}

function descendants(element: XmlElement, names: ReadonlySet<string>, into: XmlElement[] = []): XmlElement[] {
  for (const c of element.children) {
    if (names.has(c.name.toLowerCase())) into.push(c);
    else descendants(c, names, into);
  }
  return into;
}

function params(element: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of element.children) {
    if (c.name.toLowerCase() !== 'param') continue;
    const name = attribute(c, 'name');
    const value = attribute(c, 'value');
    if (name !== undefined && value !== undefined) out.set(name.toLowerCase(), value);
  }
  return out;
}

const integer = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
};

/**
 * The renditions a server manifest lists, in document order: any .ism in this SMIL shape (ours,
 * Azure's, Unified Streaming's). Throws an Error saying what is wrong when it is not one.
 */
export function parseServerManifest(xml: string): ServerManifest {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    if (error instanceof XmlSyntaxError)
      throw new Error(`The server manifest is not valid XML: ${error.message}.`);
    throw error;
  }
  if (root.name.toLowerCase() !== 'smil')
    throw new Error(`The server manifest's root element is <${root.name}>, not <smil>.`);
  const manifest: ServerManifest = { video: [], audio: [] };
  for (const element of descendants(root, new Set(['video', 'audio', 'textstream']))) {
    const kind = element.name.toLowerCase();
    if (kind === 'textstream') continue;
    const src = attribute(element, 'src');
    if (!src) throw new Error(`A <${element.name}> in the server manifest has no src.`);
    const p = params(element);
    const bitrate = integer(attribute(element, 'systemBitrate')) ?? integer(p.get('systembitrate')) ?? 0;
    const trackId = integer(p.get('trackid'));
    const trackName = p.get('trackname');
    if (kind === 'video') {
      const width = integer(p.get('maxwidth') ?? attribute(element, 'width'));
      const height = integer(p.get('maxheight') ?? attribute(element, 'height'));
      manifest.video.push({
        src,
        bitrate,
        ...(width !== undefined ? { width } : {}),
        ...(height !== undefined ? { height } : {}),
        ...(trackId !== undefined ? { trackId } : {}),
        ...(trackName !== undefined ? { trackName } : {}),
      });
    } else {
      const language = attribute(element, 'systemLanguage') ?? p.get('systemlanguage');
      manifest.audio.push({
        src,
        bitrate,
        ...(trackId !== undefined ? { trackId } : {}),
        ...(trackName !== undefined ? { trackName } : {}),
        ...(language !== undefined ? { language } : {}),
      });
    }
  }
  return manifest;
}
