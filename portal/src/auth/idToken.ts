import { AuthorityError } from './authorityError.js';
import { PORTAL_CLIENT_ID } from './config.js';
import { decodeJsonSegment } from './encoding.js';
import { isRecord } from './storage.js';

export interface IdentityClaims {
  tenantId: string;
  objectId: string;
  username: string;
  name: string;
}

/**
 * The ID token of a code redemption. It came straight from the token endpoint of this origin over
 * TLS, which OpenID Connect Core §3.1.3.7 accepts in place of checking the signature; what is
 * checked is that it is for this sign-in (nonce), this app (aud), this origin's issuer and still
 * valid.
 */
export function readIdToken(idToken: string | undefined, nonce: string, nowSeconds: number): IdentityClaims {
  const claims = idToken === undefined ? undefined : decodeJsonSegment(idToken.split('.')[1] ?? '');
  const refuse = (why: string) =>
    new AuthorityError('invalid_id_token', `The sign-in could not be completed: ${why}.`);
  if (!isRecord(claims)) throw refuse('the ID token is missing or unreadable');
  const tid = claims.tid;
  if (typeof tid !== 'string' || claims.iss !== `${location.origin}/${tid}/v2.0`)
    throw refuse('the ID token is from another issuer');
  if (claims.aud !== PORTAL_CLIENT_ID) throw refuse('the ID token is for another application');
  if (claims.nonce !== nonce) throw refuse('the ID token is for another sign-in (nonce)');
  if (typeof claims.exp !== 'number' || claims.exp < nowSeconds - 300)
    throw refuse('the ID token has expired');
  const username = typeof claims.preferred_username === 'string' ? claims.preferred_username : '';
  return {
    tenantId: tid,
    objectId: typeof claims.oid === 'string' ? claims.oid : '',
    username,
    name: typeof claims.name === 'string' && claims.name ? claims.name : username,
  };
}
