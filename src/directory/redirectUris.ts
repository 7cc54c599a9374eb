import { TesseraError } from '../errors.js';

/** Entra's limits: 256 characters a URI, 256 URIs an application (work and school accounts). */
export const MAX_REDIRECT_URI_LENGTH = 256;
export const MAX_REDIRECT_URIS = 256;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Printable ASCII without spaces: what a browser would send back unchanged. */
const PRINTABLE = /^[\x21-\x7e]+$/;

const invalid = (message: string) => new TesseraError('InvalidRedirectUri', message);

/**
 * Entra's rules for a redirect URI a browser is sent to (the reply URL restrictions): an absolute
 * https URL, or http on the loopback host (a developer's machine); no user info, fragment or
 * wildcard, at most 256 characters. A SPA's page then redeems its code cross-origin, so the
 * URI's origin is also the one the token endpoint answers with CORS.
 */
function checkBrowserRedirectUri(uri: string, platform: string): void {
  if (uri.length > MAX_REDIRECT_URI_LENGTH) {
    throw invalid(
      `The ${platform} redirect URI '${uri.slice(0, 40)}…' is longer than ${MAX_REDIRECT_URI_LENGTH} characters.`,
    );
  }
  const url = PRINTABLE.test(uri) && URL.canParse(uri) ? new URL(uri) : undefined;
  if (!url) throw invalid(`The ${platform} redirect URI '${uri}' is not an absolute URI.`);
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw invalid(
      `The ${platform} redirect URI '${uri}' must use https; only http://localhost (or 127.0.0.1) may use http.`,
    );
  }
  if (url.username || url.password || uri.includes('#') || uri.includes('*')) {
    throw invalid(
      `The ${platform} redirect URI '${uri}' must not contain user information, a fragment or a wildcard.`,
    );
  }
}

/** `spa.redirectUris`: each a browser redirect URI, none twice, at most 256. */
export function checkSpaRedirectUris(uris: readonly string[]): void {
  if (uris.length > MAX_REDIRECT_URIS) {
    throw invalid(
      `An application may have at most ${MAX_REDIRECT_URIS} single-page application redirect URIs.`,
    );
  }
  const seen = new Set<string>();
  for (const uri of uris) {
    checkBrowserRedirectUri(uri, 'single-page application');
    if (seen.has(uri)) throw invalid(`The single-page application redirect URI '${uri}' is listed twice.`);
    seen.add(uri);
  }
}
