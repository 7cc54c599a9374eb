import { MICROSOFT_SERVICES_TENANT_ID } from '../../directory/firstParty.js';
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
 * An app Tessera itself serves (the portal) lives on Tessera's own origin, whose host names and
 * port are the deployment's and unknown to the app's definition: a first-party application
 * registers a path (`/portal/`), which names that exact path on each of Tessera's origins and
 * nowhere else. Only first-party applications, so a tenant's app cannot send codes there.
 */
function matchesOwnOrigin(
  application: Application,
  registered: string,
  requested: string,
  url: URL,
  isOwnOrigin: (url: URL) => boolean,
): boolean {
  // The text itself must be origin + path, so no user info, query, fragment or dot segment.
  return (
    application.tenantId === MICROSOFT_SERVICES_TENANT_ID &&
    registered.startsWith('/') &&
    requested === `${url.origin}${registered}` &&
    isOwnOrigin(url)
  );
}

/**
 * Whether the app registered `requested`: an exact string match (RFC 9700 §2.1), the port of a
 * loopback URI excepted, and a first-party path on Tessera's own origins. Nothing is normalised,
 * so `https://AzureMediaServicesNativeSDK.evil`, `http://localhost.evil.com`,
 * `http://localhost@evil.com` or an encoded slash never match.
 */
export function isRegisteredRedirectUri(
  application: Application,
  requested: string,
  isOwnOrigin: (url: URL) => boolean = () => false,
): boolean {
  if (!PRINTABLE.test(requested) || requested.length > 2048) return false;
  // A path alone is never a redirect URI: a first-party path only names Tessera's origins.
  if (requested.startsWith('/')) return false;
  const registered = [
    ...application.publicClientRedirectUris,
    ...application.webRedirectUris,
    ...application.spaRedirectUris,
  ];
  if (registered.includes(requested)) return true;
  const url = parse(requested);
  return (
    url !== undefined &&
    registered.some(
      (uri) => matchesLoopback(uri, url) || matchesOwnOrigin(application, uri, requested, url, isOwnOrigin),
    )
  );
}

/** Whether one of `registered` names `requested`, by the rules above (no first-party paths). */
function listed(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const url = parse(requested);
  return url !== undefined && registered.some((uri) => matchesLoopback(uri, url));
}

/**
 * How a registered redirect URI may be used: `spa` when it is registered only as a single-page
 * application's (redeemed cross-origin, with PKCE), `either` when it is also registered on
 * another platform (a browser redemption counts as the SPA's, any other as the other platform's),
 * `other` when it is not a SPA's at all.
 */
export function redirectPlatform(application: Application, redirectUri: string): 'spa' | 'either' | 'other' {
  if (!listed(application.spaRedirectUris, redirectUri)) return 'other';
  const elsewhere = listed(
    [...application.publicClientRedirectUris, ...application.webRedirectUris],
    redirectUri,
  );
  return elsewhere ? 'either' : 'spa';
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
