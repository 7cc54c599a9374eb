export { streamingPlugin } from './plugin.js';
export type { StreamingPluginOptions } from './plugin.js';
export { StreamingError } from './types.js';
export type { LocatorResolver, PackageFormat, Resolution, StreamingAsset, StreamingFile } from './types.js';
