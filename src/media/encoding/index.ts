// Media Encoder Standard on ffmpeg: what the rest of the media service uses.
export { locateFfmpeg } from './ffmpegBinary.js';
export type { FfmpegTools } from './ffmpegBinary.js';
export { EncodingError, encodingErrorCodes, isAbortError } from './errors.js';
export type { EncodingErrorCode } from './errors.js';
export { probe } from './probe.js';
export type { AudioInfo, MediaInfo, VideoInfo } from './probe.js';
export { SYSTEM_PRESETS, parsePreset } from './presets.js';
export type { Preset } from './preset.js';
export { planEncode, selectInput } from './plan.js';
export type { EncodePlan, EncodeRequest, PlannedFile } from './plan.js';
export { encode } from './encoder.js';
export type { EncodeResult, EncodedFile } from './encoder.js';
export { parseServerManifest, serverManifestXml } from './serverManifest.js';
export type { ServerManifest, ServerManifestAudio, ServerManifestVideo } from './serverManifest.js';
export { assetGuid, sidecarNames } from './naming.js';
