import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthoritySecrets } from '../signIn/secrets.js';
import { BROWSER_COOKIE, parseCookies, setCookie } from './cookies.js';
import { hashOpaque, isOpaqueToken, newOpaqueToken } from './opaque.js';

/** The browser a sign-in page was served to: what pending sign-ins and CSRF tokens are bound to. */
export interface Browser {
  /** SHA-256 of the browser cookie. */
  hash: string;
  cookies: ReadonlyMap<string, string>;
}

/** The browser that sent the request, if it carries our cookie. */
export function knownBrowser(request: FastifyRequest): Browser | undefined {
  const cookies = parseCookies(request.headers.cookie);
  const value = cookies.get(BROWSER_COOKIE);
  return value && isOpaqueToken(value) ? { hash: hashOpaque(value), cookies } : undefined;
}

/** The browser that sent the request; a browser without our cookie is given one. */
export function browserOf(request: FastifyRequest, reply: FastifyReply): Browser {
  const known = knownBrowser(request);
  if (known) return known;
  const value = newOpaqueToken();
  reply.header('set-cookie', setCookie(BROWSER_COOKIE, value));
  return { hash: hashOpaque(value), cookies: parseCookies(request.headers.cookie) };
}

/**
 * CSRF tokens in the signed double-submit shape (OWASP): an HMAC of the browser cookie and of
 * what the form acts on (a pending sign-in, the code-entry page). A page from another site can
 * neither read the token nor, with SameSite=Lax, make the browser send the cookie on a POST;
 * a token copied from another browser does not match this browser's cookie.
 */
export class CsrfTokens {
  constructor(private readonly secrets: AuthoritySecrets) {}

  async token(browser: Browser, purpose: string): Promise<string> {
    const key = await this.secrets.get('csrf');
    return createHmac('sha256', key).update(`${browser.hash}\0${purpose}`).digest('base64url');
  }

  async verify(browser: Browser, purpose: string, presented: string | undefined): Promise<boolean> {
    if (!presented) return false;
    const expected = Buffer.from(await this.token(browser, purpose));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
