import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

export interface PageSecurity {
  /** Where the page's forms may go besides this origin (the client's redirect URI). */
  formActions?: readonly string[];
  /** Whether the page runs its nonce'd script (the form_post page only). */
  script?: boolean;
}

/** A fresh nonce per response: the page's inline style (and script) carry it, nothing else can. */
export const newNonce = (): string => randomBytes(18).toString('base64');

/**
 * Sends a sign-in page with its protections: a CSP that allows only this page's own nonce'd
 * style (and script), forms to this origin and the client's redirect origin — Chromium checks
 * form-action on the redirect that follows a POST too — and no framing (clickjacking); no
 * caching, no sniffing, no referrer (the URL carries state and login_hint). No CORS header is
 * ever set: other origins cannot read these pages.
 */
export function sendPage(
  reply: FastifyReply,
  status: number,
  nonce: string,
  markup: string,
  security: PageSecurity = {},
): FastifyReply {
  const formAction = ["'self'", ...(security.formActions ?? [])].join(' ');
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    security.script ? `script-src 'nonce-${nonce}'` : "script-src 'none'",
    'img-src data:',
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', csp)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send(markup);
}

/** A redirect with the same no-store / no-referrer rules (codes travel in these URLs). */
export function sendRedirect(reply: FastifyReply, location: string): FastifyReply {
  return reply
    .status(302)
    .header('location', location)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .header('referrer-policy', 'no-referrer')
    .send();
}
