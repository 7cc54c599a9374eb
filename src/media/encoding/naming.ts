/**
 * Output file names: MES's FileName macros, {Basename}, and the rule that no two outputs of a
 * task share a name.
 */

/**
 * {Basename}: the first 32 characters of the input file's name without its extension (MES), with
 * path separators and control characters, which cannot be in a blob name, replaced.
 */
export function basenameOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  // eslint-disable-next-line no-control-regex
  const safe = stem.replace(/[/\\\u0000-\u001f]/g, '_');
  return Array.from(safe).slice(0, 32).join('') || 'output';
}

export interface MacroValues {
  basename: string;
  width?: number;
  height?: number;
  /** kbps. */
  videoBitrate?: number;
  audioBitrate?: number;
  channels?: number;
  extension: string;
  language?: string;
  /** Put in place of {Index}: a number, or a marker the caller turns into a printf pattern. */
  index?: string;
}

const VIDEO_MACROS = /\{(width|height|resolution|videobitrate|videocodec)\}/i;

/** Does the template name something only a video file has? */
export const usesVideoMacros = (template: string): boolean => VIDEO_MACROS.test(template);

/**
 * The template with every macro replaced. A macro about a stream the file does not carry
 * ({Width} of an audio-only file) becomes "0", as an empty gap would leave names like "a__.mp4".
 */
export function expandFileName(template: string, values: MacroValues): string {
  const hasVideo = values.width !== undefined;
  const hasAudio = values.audioBitrate !== undefined;
  const number = (n: number | undefined): string => String(n ?? 0);
  return template.replace(/\{([^}]*)\}/g, (whole, macro: string) => {
    switch (macro.toLowerCase()) {
      case 'basename':
        return values.basename;
      case 'width':
        return number(values.width);
      case 'height':
        return number(values.height);
      case 'resolution':
        return `${number(values.width)}x${number(values.height)}`;
      case 'videobitrate':
        return number(values.videoBitrate);
      case 'audiobitrate':
        return number(values.audioBitrate);
      case 'bitrate':
        return number(hasVideo ? values.videoBitrate : values.audioBitrate);
      case 'codec':
        return hasVideo ? 'H264' : hasAudio ? 'AAC' : '';
      case 'videocodec':
        return hasVideo ? 'H264' : '';
      case 'audiocodec':
        return hasAudio ? 'AAC' : '';
      case 'channel':
        return number(values.channels);
      case 'language':
        return values.language ?? 'und';
      case 'extension':
        return values.extension;
      case 'index':
        return values.index ?? whole;
      default:
        return whole;
    }
  });
}

/** Hands out names, adding "_2", "_3", … before the extension when a name is taken (case-insensitively). */
export class NameRegistry {
  private readonly taken = new Set<string>();

  constructor(reserved: readonly string[] = []) {
    for (const name of reserved) this.taken.add(name.toLowerCase());
  }

  claim(name: string): string {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const extension = dot > 0 ? name.slice(dot) : '';
    for (let n = 2; this.taken.has(candidate.toLowerCase()); n++) candidate = `${stem}_${n}${extension}`;
    this.taken.add(candidate.toLowerCase());
    return candidate;
  }

  has(name: string): boolean {
    return this.taken.has(name.toLowerCase());
  }
}

/** The asset id without its "nb:cid:UUID:" prefix. */
export const assetGuid = (id: string): string => id.replace(/^nb:cid:UUID:/i, '');

/** The files written beside the encoded media: input metadata, output metadata, server manifest. */
export function sidecarNames(
  basename: string,
  inputAssetGuid: string,
): { metadata: string; manifest: string; ism: string } {
  return {
    metadata: `${assetGuid(inputAssetGuid)}_metadata.xml`,
    manifest: `${basename}_manifest.xml`,
    ism: `${basename}.ism`,
  };
}
