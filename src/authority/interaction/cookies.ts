/** Cookie names start with `__Host-`: the browser then insists on Secure, Path=/ and no Domain. */
export const BROWSER_COOKIE = '__Host-tessera-browser';
const SESSION_COOKIE_PREFIX = '__Host-tessera-sso-';

/** One SSO cookie per tenant, so signing in to one tenant never replaces another's session. */
export const sessionCookieName = (tenantId: string): string => `${SESSION_COOKIE_PREFIX}${tenantId}`;

/** The `Cookie` header as name → value; a name sent twice keeps its first value. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** The tenant ids of every SSO cookie the browser sent, with the cookie's value. */
export function sessionCookies(
  cookies: ReadonlyMap<string, string>,
): Array<{ tenantId: string; token: string }> {
  const found: Array<{ tenantId: string; token: string }> = [];
  for (const [name, token] of cookies)
    if (name.startsWith(SESSION_COOKIE_PREFIX))
      found.push({ tenantId: name.slice(SESSION_COOKIE_PREFIX.length), token });
  return found;
}

/**
 * HttpOnly (no script reads it), Secure, SameSite=Lax (sent on top-level navigations from the
 * client app, never on cross-site POSTs or sub-resources). No Max-Age: the cookie dies with the
 * browser session; the server bounds its life too.
 */
export const setCookie = (name: string, value: string): string =>
  `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax`;

export const clearCookie = (name: string): string =>
  `${name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;
