import { randomInt } from 'node:crypto';
import { randomBytesPooled } from './random.js';
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

/** A signed-in person; `sub` is pairwise (per client app), `oid` is the user's object id. */
export interface UserSubject {
  kind: 'user';
  objectId: string;
  pairwiseSubject: string;
  userPrincipalName: string;
  name: string;
  givenName: string | null;
  familyName: string | null;
  /** Delegated permissions: the `scp` claim. */
  scopes: string[];
  /** How the person authenticated (`pwd`). */
  amr: string[];
  ipAddress: string;
}

export interface AccessTokenRequest {
  version: TokenVersion;
  origin: string;
  tenantId: string;
  /** v1: the identifier the client asked for; v2: the resource's appId. */
  audience: string;
  clientAppId: string;
  clientAuth: ClientAuthMethod;
  subject: AppOnlySubject | UserSubject;
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
  const random = randomBytesPooled(96);
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
      : { appid: request.clientAppId, appidacr: acr[request.clientAuth] };
  const { subject } = request;
  const roles = request.roles.length > 0 ? { roles: request.roles } : {};
  const tail = {
    tid: request.tenantId,
    uti: random.subarray(80, 96).toString('base64url'),
    ver: version === 2 ? '2.0' : '1.0',
  };
  const rh = random.subarray(48, 80).toString('base64url');
  // Claims in the order Entra writes them, which keeps decoded tokens easy to compare.
  const payload =
    subject.kind === 'app'
      ? {
          ...common,
          ...client,
          ...(version === 1 && { idp: iss }),
          idtyp: 'app',
          oid: subject.objectId,
          rh,
          ...roles,
          sub: subject.objectId,
          ...tail,
        }
      : version === 2
        ? {
            ...common,
            ...client,
            name: subject.name,
            oid: subject.objectId,
            preferred_username: subject.userPrincipalName,
            rh,
            ...roles,
            scp: subject.scopes.join(' '),
            sub: subject.pairwiseSubject,
            ...tail,
          }
        : {
            ...common,
            acr: '1',
            amr: subject.amr,
            ...client,
            ...(subject.familyName !== null && { family_name: subject.familyName }),
            ...(subject.givenName !== null && { given_name: subject.givenName }),
            ipaddr: subject.ipAddress,
            name: subject.name,
            oid: subject.objectId,
            rh,
            ...roles,
            scp: subject.scopes.join(' '),
            sub: subject.pairwiseSubject,
            tid: tail.tid,
            unique_name: subject.userPrincipalName,
            upn: subject.userPrincipalName,
            uti: tail.uti,
            ver: tail.ver,
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
