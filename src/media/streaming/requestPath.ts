import type { PackageFormat } from './types.js';
import { StreamingError } from './types.js';

/**
 * What the part of a streaming URL after the locator guid asks for. The layout below
 * `<name>.ism/`:
 *   manifest                               Smooth client manifest
 *   manifest(format=m3u8-aapl|m3u8-cmaf)   HLS master playlist, fMP4 segments
 *   manifest(format=m3u8-aapl-v3)          HLS master playlist, MPEG-TS segments
 *   manifest(format=mpd-time-csf|mpd-time-cmaf)  DASH MPD
 *   <format>-<tag>/<path>                  HLS playlists and segments, DASH segments
 *   smooth-<tag>/QualityLevels(<bitrate>)/Fragments(<video|audio>=<time>)  Smooth fragments
 * Anything else with one segment is an asset file (progressive download). Paths are never
 * joined onto the file system: they are looked up among the asset's files or a package's.
 */
export type RequestTarget =
  | { kind: 'file'; name: string }
  | { kind: 'manifest'; ism: string; format: PackageFormat }
  | { kind: 'resource'; ism: string; format: PackageFormat; tag: string; path: string }
  | { kind: 'fragment'; ism: string; tag: string; key: string };

const FORMATS: Record<string, PackageFormat> = {
  'm3u8-aapl': 'hls-fmp4',
  'm3u8-cmaf': 'hls-fmp4',
  'm3u8-aapl-v3': 'hls-ts',
  'mpd-time-csf': 'dash',
  'mpd-time-cmaf': 'dash',
};

const RESOURCE_PREFIX = /^(hls-fmp4|hls-ts|dash|smooth)-([0-9a-f]{12})$/;
const QUALITY_LEVELS = /^QualityLevels\((\d{1,10})\)$/i;
const FRAGMENTS = /^Fragments\((video|audio)=(\d{1,20})\)$/i;

const notFound = (): StreamingError => new StreamingError(404, 'The requested resource does not exist.');

function manifestFormat(options: string | undefined): PackageFormat {
  if (options === undefined) return 'smooth';
  let format: PackageFormat | undefined;
  for (const option of options.split(',')) {
    const [key, value, extra] = option.split('=').map((part) => part.trim());
    if (key?.toLowerCase() !== 'format' || value === undefined || extra !== undefined) {
      throw new StreamingError(
        400,
        `The manifest option '${option.trim()}' is not supported; only format is.`,
      );
    }
    format = FORMATS[value.toLowerCase()];
    if (!format) {
      throw new StreamingError(
        400,
        `The format '${value}' is not supported; use ${Object.keys(FORMATS).join(', ')}, or none for Smooth Streaming.`,
      );
    }
  }
  if (!format) throw new StreamingError(400, 'The manifest options name no format.');
  return format;
}

/** Classifies the wildcard path (already percent-decoded by the router); throws 400/404. */
export function parseRequestPath(path: string): RequestTarget {
  const segments = path.split('/');
  const [first, ...rest] = segments;
  if (!first) throw notFound();
  if (rest.length === 0) return { kind: 'file', name: first };
  if (!/\.ism$/i.test(first)) throw notFound();
  const [sub, ...more] = rest;
  if (sub === undefined) throw notFound();
  if (more.length === 0) {
    const manifest = /^manifest(?:\((.*)\))?$/i.exec(sub);
    if (!manifest) throw notFound();
    return { kind: 'manifest', ism: first, format: manifestFormat(manifest[1]) };
  }
  const prefix = RESOURCE_PREFIX.exec(sub);
  if (!prefix) throw notFound();
  const format = prefix[1] as PackageFormat;
  const tag = prefix[2] ?? '';
  if (format !== 'smooth') return { kind: 'resource', ism: first, format, tag, path: more.join('/') };
  const [levels, fragment, ...extra] = more;
  const bitrate = QUALITY_LEVELS.exec(levels ?? '')?.[1];
  const fragmentMatch = FRAGMENTS.exec(fragment ?? '');
  if (!bitrate || !fragmentMatch || extra.length > 0) throw notFound();
  const stream = (fragmentMatch[1] ?? '').toLowerCase();
  return {
    kind: 'fragment',
    ism: first,
    tag,
    key: `${Number(bitrate)}/${stream}/${BigInt(fragmentMatch[2] ?? '0')}`,
  };
}
