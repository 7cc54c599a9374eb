import { createHash } from 'node:crypto';

/**
 * The app's policy: scripts, styles, images and API calls from this origin only, no inline
 * script or style (the build emits none), no plugins, no <base> rewriting, no framing. The
 * portal calls only this origin's public APIs (uploads too: SAS URLs are on this origin), so
 * connect-src needs nothing more. The HLS player (hls.js) is the one exception: it feeds the
 * <video> a MediaSource through a blob: URL and runs its demuxer in a worker it builds from a
 * blob: URL, so media-src and worker-src also take blob: (URLs this page made, nothing remote).
 */
export const APP_CSP = [
  "default-src 'self'",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every portal response besides its type and caching. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  // The redirect back from sign-in carries the code in the URL: never send it on as a Referer.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Hashed file names change with their content: a year, never revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files: always revalidated (its ETag makes that cheap). */
export const REVALIDATE = 'no-cache';

/** The policy of a server-made page whose one inline stylesheet is allowed by its hash. */
export function pageCsp(style: string): string {
  const hash = createHash('sha256').update(style).digest('base64');
  return [
    "default-src 'none'",
    `style-src 'sha256-${hash}'`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
