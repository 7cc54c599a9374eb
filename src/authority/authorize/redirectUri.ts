import type { Application } from '../../directory/model.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Printable ASCII only: a URL parser quietly drops tabs, newlines and edge spaces, a browser too. */
const PRINTABLE = /^[\x21-\x7e]+$/;

const parse = (uri: string): URL | undefined => (URL.canParse(uri) ? new URL(uri) : undefined);

/**
 * RFC 8252 §7.3: a native app's loopback redirect may use any port, since the app listens on
 * whatever port is free. Everything else — scheme, host, path, query — must be what was
 * registered, and user info or a fragment is never allowed.
 */
function matchesLoopback(registered: string, requested: URL): boolean {
  const base = parse(registered);
  if (!base || base.protocol !== 'http:' || !LOOPBACK_HOSTS.has(base.hostname)) return false;
  return (
    requested.protocol === 'http:' &&
    requested.hostname === base.hostname &&
    requested.username === '' &&
    requested.password === '' &&
    requested.hash === '' &&
    requested.pathname === base.pathname &&
    requested.search === base.search
  );
}

/**
 * Whether the app registered `requested`: an exact string match (RFC 9700 §2.1), the port of a
 * loopback URI excepted. Nothing is normalised, so `https://AzureMediaServicesNativeSDK.evil`,
 * `http://localhost.evil.com`, `http://localhost@evil.com` or an encoded slash never match.
 */
export function isRegisteredRedirectUri(application: Application, requested: string): boolean {
  if (!PRINTABLE.test(requested) || requested.length > 2048) return false;
  const registered = [...application.publicClientRedirectUris, ...application.webRedirectUris];
  if (registered.includes(requested)) return true;
  const url = parse(requested);
  return url !== undefined && registered.some((uri) => matchesLoopback(uri, url));
}

/**
 * The CSP `form-action` source of a redirect URI: its origin, or its scheme for custom schemes
 * (`msal…://auth`, `urn:`) whose origin is opaque.
 */
export function formActionSource(redirectUri: string): string {
  const url = parse(redirectUri);
  if (!url) return "'none'";
  return url.origin !== 'null' ? url.origin : url.protocol;
}
