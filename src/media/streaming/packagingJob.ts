import type { FfmpegTools } from '../encoding/ffmpegBinary.js';
import type { Presentation } from './presentation.js';

/** Target segment (fragment) length in seconds; segments are cut at the next key frame after it. */
export const SEGMENT_SECONDS = 2;

/** Everything a format's packager needs; it writes into `workDir` (a fresh temporary directory). */
export interface PackagingJob {
  presentation: Presentation;
  tools: FfmpegTools;
  workDir: string;
  /** Relative URL prefix of the sub-resources, as the manifest must name them (`hls-fmp4-<tag>/`). */
  urlPrefix: string;
}

/** A Smooth fragment: a byte range of one of the package's fragmented files. */
export interface FragmentEntry {
  /** `<bitrate>/<stream name>/<start time>`, the canonical form of `QualityLevels(…)/Fragments(…=…)`. */
  key: string;
  file: string;
  offset: number;
  size: number;
  audio: boolean;
}

/** What a packager produced, recorded in the package's metadata. */
export interface PackageLayout {
  /** Path (relative to the package) of the manifest served at `<name>.ism/manifest…`. */
  manifest: string;
  manifestType: string;
  /** Files whose relative path starts with one of these are audio (served as audio/mp4). */
  audioPrefixes: string[];
  /** Smooth only: the fragments, served by key instead of by path. */
  fragments?: FragmentEntry[];
}

/** The common head of every ffmpeg run: no banner, no stdin, errors only, overwrite. */
export const FFMPEG_HEAD = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'] as const;
