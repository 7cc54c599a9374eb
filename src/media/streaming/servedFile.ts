import { createHash } from 'node:crypto';

/**
 * A byte range of a local file with everything its response needs, computed once (when a
 * package is loaded) so that serving it is a lookup and a file stream.
 */
export interface ServedFile {
  path: string;
  offset: number;
  size: number;
  contentType: string;
  cacheControl: string;
  etag: string;
  lastModified: string;
}

/** Manifests without a version tag in their URL may change when the asset does: cache briefly. */
export const MANIFEST_CACHE = 'public, max-age=10';
/** Everything under `<format>-<tag>/` is named by the asset version: it never changes. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** Asset files keep their name when the asset changes; revalidate with the ETag after five minutes. */
export const PROGRESSIVE_CACHE = 'public, max-age=300';

export const strongEtag = (...parts: readonly (string | number)[]): string =>
  `"${createHash('sha1').update(parts.join('\0')).digest('base64url').slice(0, 22)}"`;

const TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  m4a: 'audio/mp4',
  m4s: 'video/mp4',
  ismv: 'video/mp4',
  isma: 'audio/mp4',
  ts: 'video/mp2t',
  m3u8: 'application/vnd.apple.mpegurl',
  mpd: 'application/dash+xml',
  ism: 'application/xml',
  ismc: 'application/xml',
  xml: 'application/xml',
  json: 'application/json',
  vtt: 'text/vtt',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  bmp: 'image/bmp',
  gif: 'image/gif',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  wav: 'audio/wav',
  txt: 'text/plain; charset=utf-8',
};

/** The Content-Type of a file by its extension. */
export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
