import type { SigningKeys } from '../authority/tokens/signingKeys.js';
import type { PublicOrigins } from '../server/origins.js';
import { BearerVerifier } from './bearerVerifier.js';
import type { BearerPolicy, BearerVerifierOptions, VerifiedBearer } from './bearerVerifier.js';
import { TokenValidationError } from './errors.js';
import { ownIssuersOf, tenantOfIssuer } from './issuers.js';
import { LocalKeys } from './keys/localKeys.js';

/** A token Tessera issued: its issuer is one of Tessera's own, for the tenant the token names. */
export interface OwnToken extends VerifiedBearer {
  /** The tenant of the issuer and of `tid` (lower-case GUID). */
  tenantId: string;
}

const MAX_REMEMBERED_ISSUERS = 1000;

/**
 * The check every API that Tessera itself serves makes of a bearer token: its signature by one of
 * Tessera's published keys (read in process), one of the resource's audiences, an issuer that is
 * Tessera's own for some tenant on any of its host names, and a `tid` naming that same tenant.
 * Which tenant is acceptable, and what a failure looks like on the wire, stay with each service.
 * One instance per server, so verified signatures are cached across requests.
 */
export class OwnTokenVerifier {
  private readonly verifier: BearerVerifier;
  private readonly policy: BearerPolicy;
  /** Issuer → its tenant when it is one of Tessera's own issuers, else null; few, and asked on every request. */
  private readonly issuers = new Map<string, string | null>();

  constructor(
    keys: SigningKeys,
    private readonly origins: PublicOrigins,
    audience: (aud: string) => boolean,
    options: BearerVerifierOptions = {},
  ) {
    this.verifier = new BearerVerifier(new LocalKeys(keys), options);
    this.policy = { issuers: (iss) => this.ownIssuerTenant(iss) !== null, audience };
  }

  /** Throws TokenValidationError; `wrong_issuer` also when `tid` is not the issuer's tenant. */
  async verify(token: string): Promise<OwnToken> {
    const verified = await this.verifier.verify(token, this.policy);
    const { claims } = verified;
    const tenantId = this.ownIssuerTenant(claims.iss);
    if (tenantId === null || tenantId !== claims.tid?.toLowerCase()) {
      throw new TokenValidationError(
        'wrong_issuer',
        `The issuer '${claims.iss}' is not the token's tenant.`,
        {
          iss: claims.iss,
          aud: claims.aud,
          exp: claims.exp,
          tid: claims.tid,
        },
      );
    }
    return { ...verified, tenantId };
  }

  private ownIssuerTenant(iss: string): string | null {
    let tenant = this.issuers.get(iss);
    if (tenant === undefined) {
      const named = tenantOfIssuer(iss);
      tenant = named !== undefined && ownIssuersOf(this.origins, named)(iss) ? named : null;
      // Issuers come from tokens (signature-checked only later): bound the memo.
      if (this.issuers.size >= MAX_REMEMBERED_ISSUERS) this.issuers.clear();
      this.issuers.set(iss, tenant);
    }
    return tenant;
  }
}
