import type { TenantSegment } from './context.js';
import { v1Issuer, v2Issuer } from './issuers.js';
import type { PublishedKey } from './tokens/signingKeys.js';

/** Entra's JWKS: RSA signing keys with their certificate, and the issuer they sign for. */
export function jwks(
  keys: readonly PublishedKey[],
  origin: string,
  tenant: TenantSegment | undefined,
  version: 1 | 2,
): { keys: Array<Record<string, unknown>> } {
  const tid = tenant?.kind === 'tenant' ? tenant.tenant.id : '{tenantid}';
  const issuer = version === 2 ? v2Issuer(origin, tid) : v1Issuer(origin, tid);
  return {
    keys: keys.map((k) => ({
      kty: 'RSA',
      use: 'sig',
      kid: k.kid,
      x5t: k.x5t,
      n: k.n,
      e: k.e,
      x5c: [k.x5c],
      issuer,
    })),
  };
}
