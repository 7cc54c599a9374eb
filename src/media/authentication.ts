import type { SigningKeys } from '../authority/tokens/signingKeys.js';
import { BearerVerifier } from '../guard/bearerVerifier.js';
import type { BearerPolicy } from '../guard/bearerVerifier.js';
import { TokenValidationError } from '../guard/errors.js';
import { ownIssuersOf, tenantOfIssuer } from '../guard/issuers.js';
import { LocalKeys } from '../guard/keys/localKeys.js';
import type { PublicOrigins } from '../server/origins.js';
import type { MediaAccount } from './accounts.js';
import { mediaErrors } from './errors.js';

/** Media Services' resource: its identifier URI (v1 tokens, with or without the slash) and app id (v2). */
export const MEDIA_RESOURCE = 'https://rest.media.azure.net';
const MEDIA_APP_ID = '374b2a64-3b6b-436b-934c-b820eacca870';
const AUDIENCES = new Set([MEDIA_RESOURCE, `${MEDIA_RESOURCE}/`, MEDIA_APP_ID]);

const SCHEME = /^Bearer\s+(\S+)\s*$/i;
const CLOCK_SKEW_SECONDS = 300;

/** Who called, once the token is good and from the account's tenant. */
export interface MediaCaller {
  objectId: string;
  tenantId: string;
  appId: string;
}

/**
 * The challenge of every 401: where to get a token for this API. Azure AD's v1 parameters, which
 * the .NET SDK's and ADAL's challenge parsers read.
 */
export const challengeFor = (origin: string, account: MediaAccount): string =>
  `Bearer authorization_uri="${origin}/${account.tenantId}/oauth2/authorize", resource_id="${MEDIA_RESOURCE}"`;

/**
 * Bearer tokens issued by Tessera for Media Services, from the account's tenant. Every failure is
 * the same 401: the service never said more than "(401) Unauthorized", whatever was wrong.
 */
export class MediaAuthenticator {
  private readonly verifier: BearerVerifier;
  private readonly policy: BearerPolicy;

  constructor(
    keys: SigningKeys,
    private readonly origins: PublicOrigins,
  ) {
    this.verifier = new BearerVerifier(new LocalKeys(keys), { clockToleranceSeconds: CLOCK_SKEW_SECONDS });
    this.policy = {
      issuers: (iss) => {
        const tenant = tenantOfIssuer(iss);
        return tenant !== undefined && ownIssuersOf(this.origins, tenant)(iss);
      },
      audience: (aud) => AUDIENCES.has(aud),
    };
  }

  /**
   * @param ownOrigin the account's own origin when the client called it there: a token for that
   *   origin (`<endpoint>/.default`) is good on it, and only on it.
   */
  async authenticate(
    authorization: string | undefined,
    account: MediaAccount,
    origin: string,
    ownOrigin?: string,
  ): Promise<MediaCaller> {
    const refuse = () => mediaErrors.unauthorized(challengeFor(origin, account));
    const token = SCHEME.exec(authorization ?? '')?.[1];
    if (!token || token.length > 16_384) throw refuse();
    const policy: BearerPolicy =
      ownOrigin === undefined
        ? this.policy
        : {
            ...this.policy,
            audience: (aud) => AUDIENCES.has(aud) || aud.replace(/\/+$/, '').toLowerCase() === ownOrigin,
          };
    try {
      const { claims, principal } = await this.verifier.verify(token, policy);
      const issuerTenant = tenantOfIssuer(claims.iss);
      if (issuerTenant !== account.tenantId || claims.tid?.toLowerCase() !== account.tenantId) throw refuse();
      return { objectId: principal.objectId, tenantId: issuerTenant, appId: principal.appId };
    } catch (error) {
      if (error instanceof TokenValidationError) throw refuse();
      throw error;
    }
  }
}
