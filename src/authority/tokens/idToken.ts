import { createHmac } from 'node:crypto';
import { randomBytesPooled } from './random.js';
import { v2Issuer } from '../issuers.js';
import { signRs256 } from './jwt.js';
import type { SigningKey } from './signingKeys.js';

/** ID tokens live an hour, as Entra's do. */
export const ID_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * Entra's `sub` is pairwise: the same user has a different subject in each application, so
 * two apps cannot correlate a person by it. 43 base64url characters, like Entra's.
 */
export const pairwiseSubject = (salt: Buffer, objectId: string, appId: string): string =>
  createHmac('sha256', salt).update(`${objectId}:${appId}`).digest('base64url');

export interface IdTokenRequest {
  origin: string;
  tenantId: string;
  clientAppId: string;
  objectId: string;
  pairwiseSubject: string;
  userPrincipalName: string;
  name: string;
  nonce?: string;
  now: number;
}

/** The v2.0 ID token: for the client (aud = its app id), never for an API. */
export function mintIdToken(request: IdTokenRequest, key: SigningKey): Promise<string> {
  const random = randomBytesPooled(80);
  const { now } = request;
  const payload = {
    aud: request.clientAppId,
    iss: v2Issuer(request.origin, request.tenantId),
    iat: now,
    nbf: now,
    exp: now + ID_TOKEN_LIFETIME_SECONDS,
    aio: random.subarray(0, 48).toString('base64url'),
    name: request.name,
    ...(request.nonce !== undefined && { nonce: request.nonce }),
    oid: request.objectId,
    preferred_username: request.userPrincipalName,
    rh: random.subarray(48, 64).toString('base64url'),
    sub: request.pairwiseSubject,
    tid: request.tenantId,
    uti: random.subarray(64, 80).toString('base64url'),
    ver: '2.0',
  };
  return signRs256({ typ: 'JWT', alg: 'RS256', kid: key.kid }, payload, key.privateKey);
}
