import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PublicOrigins } from '../server/origins.js';

/**
 * A browser page on another origin calling the token endpoint: the `Origin` it sent, when that is
 * not the origin the request was sent to. A browser sends Origin on every POST, same-origin ones
 * too (the portal's, served by Tessera itself), so only a different origin counts, as on Entra,
 * whose token endpoint is never the page's own origin. Non-browser clients send no Origin.
 */
export function crossOriginOf(
  request: Pick<FastifyRequest, 'headers'>,
  origins: PublicOrigins,
): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === '') return undefined;
  return origin === origins.fromHost(request.headers.host) ? undefined : origin;
}

/** An http(s) origin as browsers serialise it; `null` (a sandboxed or file page) is none. */
const isSerialisedOrigin = (origin: string): boolean =>
  URL.canParse(origin) && /^https?:$/.test(new URL(origin).protocol) && new URL(origin).origin === origin;

/**
 * Lets the calling page read the answer. Only a single-page application's redemption succeeds
 * cross-origin, and only from its redirect URI's origin (the grants refuse anything else), so
 * a token response is readable by that origin alone; a refusal is readable by whichever page
 * asked, so that MSAL.js can show Entra's message (AADSTS9002326) rather than a CORS failure.
 */
export function allowCrossOrigin(reply: FastifyReply, origin: string): void {
  reply.header('vary', 'Origin');
  if (isSerialisedOrigin(origin)) reply.header('access-control-allow-origin', origin);
}

/**
 * The origin of a SPA redirect URI: what a cross-origin redemption for it must come from, and
 * what its refresh tokens stay bound to.
 */
export const originOfRedirectUri = (redirectUri: string): string | undefined =>
  URL.canParse(redirectUri) ? new URL(redirectUri).origin : undefined;

/**
 * For the token endpoints, before the body is read: every answer to a cross-origin page, a
 * malformed body's refusal too, carries the headers the page needs to read it.
 */
export function tokenCors(request: FastifyRequest, reply: FastifyReply, origins: PublicOrigins): void {
  const crossOrigin = crossOriginOf(request, origins);
  if (crossOrigin !== undefined) allowCrossOrigin(reply, crossOrigin);
}
