/**
 * The encoder's own model of a Media Encoder Standard preset: what every configuration (a system
 * preset name, a JSON preset, an XML preset) is read into before planning. Values are already
 * defaulted and validated here, so the planner never meets a missing or impossible setting.
 */

/** A size in pixels, or a percentage of the input picture. */
export interface Dimension {
  value: number;
  percent: boolean;
}

export type StretchMode = 'None' | 'AutoSize' | 'AutoFit';
export type Complexity = 'Speed' | 'Balanced' | 'Quality';
export type H264Profile = 'Auto' | 'Baseline' | 'Main' | 'High';

export interface VideoLayer {
  /** Average bitrate, kbps. */
  bitrate: number;
  /** Peak bitrate, kbps; none lets the rate vary freely around the average. */
  maxBitrate?: number;
  bufferWindowSec: number;
  width?: Dimension;
  height?: Dimension;
  /** Frames per second; none keeps the input's rate ("0/1"). */
  frameRate?: number;
  profile: H264Profile;
  /** "3.1"; none lets the encoder choose ("auto"). */
  level?: string;
  bFrames?: number;
  referenceFrames: number;
  adaptiveBFrame: boolean;
  entropyMode: 'Cabac' | 'Cavlc';
  slices: number;
}

export interface VideoCodec {
  keyFrameIntervalSec: number;
  sceneChangeDetection: boolean;
  complexity: Complexity;
  stretchMode: StretchMode;
  /** Insert a black picture when the input has no video (at every layer, or only the lowest). */
  condition?: 'InsertBlackIfNoVideo' | 'InsertBlackIfNoVideoBottomLayerOnly';
  /** Empty for the adaptive presets: their ladder is computed from the input. */
  layers: VideoLayer[];
}

export type AacProfile = 'AACLC' | 'HEAACV1' | 'HEAACV2';

export type AudioCodec =
  | {
      kind: 'aac';
      profile: AacProfile;
      channels: number;
      samplingRate: number;
      /** kbps. */
      bitrate: number;
      condition?: 'InsertSilenceIfNoAudio';
    }
  | { kind: 'copy' };

/** A moment in the input: a frame number, a share of the duration, a time, or MES's "{Best}". */
export type TimeSpec =
  | { kind: 'best' }
  | { kind: 'frame'; value: number }
  | { kind: 'percent'; value: number }
  | { kind: 'seconds'; value: number };

export type ImageFormat = 'png' | 'jpg' | 'bmp';

export interface ImageLayer {
  width?: Dimension;
  height?: Dimension;
  /** JPEG quality 1 (worst) – 100 (best). */
  quality: number;
}

export interface ImageCodec {
  format: ImageFormat;
  start: TimeSpec;
  step?: TimeSpec;
  range?: TimeSpec;
  layers: ImageLayer[];
}

export type OutputFormat = 'mp4' | ImageFormat;

export interface OutputSpec {
  /** The FileName template, with MES macros ({Basename}, {Width}, {Index}, …). */
  fileName: string;
  format: OutputFormat;
  /** Which encoded streams an MP4 carries; both unless a preset splits them (Adaptive Streaming). */
  streams: 'both' | 'video' | 'audio';
}

export interface SourceSettings {
  startSec?: number;
  durationSec?: number;
  crop?: { x: number; y: number; width: number; height: number };
  /** MES de-interlaced interlaced input unless told not to. */
  deinterlace: boolean;
}

export interface Preset {
  /** The system preset's canonical name, for system presets. */
  systemName?: string;
  /** Adaptive presets build their video ladder from the input. */
  adaptive?: 'AdaptiveStreaming' | 'ContentAdaptiveMultipleBitrateMP4';
  source: SourceSettings;
  video?: VideoCodec;
  audio?: AudioCodec;
  images: ImageCodec[];
  outputs: OutputSpec[];
}

export const px = (value: number): Dimension => ({ value, percent: false });
