import { randomBytes, randomInt } from 'node:crypto';
import type { TokenVersion } from '../issuers.js';
import { issuerFor } from '../issuers.js';
import { signRs256 } from './jwt.js';
import type { SigningKey } from './signingKeys.js';

/** How the client proved itself: Entra's appidacr / azpacr values. */
export type ClientAuthMethod = 'public' | 'secret' | 'certificate';
const acr: Record<ClientAuthMethod, string> = { public: '0', secret: '1', certificate: '2' };

export interface AppOnlySubject {
  kind: 'app';
  /** The client's service principal object id in the token's tenant. */
  objectId: string;
}

export interface AccessTokenRequest {
  version: TokenVersion;
  origin: string;
  tenantId: string;
  /** v1: the identifier the client asked for; v2: the resource's appId. */
  audience: string;
  clientAppId: string;
  clientAuth: ClientAuthMethod;
  subject: AppOnlySubject;
  roles: string[];
  now: number;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: number;
  notBefore: number;
  lifetime: number;
}

/** Entra gives access tokens a random life between 60 and 90 minutes (75 on average). */
export const accessTokenLifetime = (): number => randomInt(3600, 5401);

export async function mintAccessToken(
  request: AccessTokenRequest,
  key: SigningKey,
): Promise<IssuedAccessToken> {
  const lifetime = accessTokenLifetime();
  // One call for the three opaque claims: each randomBytes call has a fixed cost.
  const random = randomBytes(96);
  const { now, version } = request;
  const iss = issuerFor(version, request.origin, request.tenantId);
  const common = {
    aud: request.audience,
    iss,
    iat: now,
    nbf: now,
    exp: now + lifetime,
    aio: random.subarray(0, 48).toString('base64url'),
  };
  const client =
    version === 2
      ? { azp: request.clientAppId, azpacr: acr[request.clientAuth] }
      : { appid: request.clientAppId, appidacr: acr[request.clientAuth], idp: iss };
  const payload = {
    ...common,
    ...client,
    idtyp: request.subject.kind,
    oid: request.subject.objectId,
    rh: random.subarray(48, 80).toString('base64url'),
    ...(request.roles.length > 0 ? { roles: request.roles } : {}),
    sub: request.subject.objectId,
    tid: request.tenantId,
    uti: random.subarray(80, 96).toString('base64url'),
    ver: version === 2 ? '2.0' : '1.0',
  };
  // v1 tokens also carry x5t (equal to kid), as Entra's do.
  const header =
    version === 2
      ? { typ: 'JWT', alg: 'RS256', kid: key.kid }
      : { typ: 'JWT', alg: 'RS256', x5t: key.kid, kid: key.kid };
  return {
    token: await signRs256(header, payload, key.privateKey),
    expiresAt: now + lifetime,
    notBefore: now,
    lifetime,
  };
}
