import type { SigningKeys } from '../../authority/tokens/signingKeys.js';
import { BearerVerifier } from '../../guard/bearerVerifier.js';
import type { BearerPolicy, VerifiedBearer } from '../../guard/bearerVerifier.js';
import { TokenValidationError } from '../../guard/errors.js';
import { ownIssuersOf, tenantOfIssuer } from '../../guard/issuers.js';
import { LocalKeys } from '../../guard/keys/localKeys.js';
import type { PublicOrigins } from '../../server/origins.js';
import { appConfigErrors } from '../errors.js';
import { isAcceptedAudience } from './audiences.js';
import type { AuthenticationRequest, Authenticator, Outcome } from './chain.js';
import { bearerDescriptions, challenges } from './challenges.js';

const SCHEME = /^Bearer(?:\s+(.*))?$/is;
/** Azure's resource providers accept tokens up to 5 minutes past exp (clock skew). */
const CLOCK_SKEW_SECONDS = 300;
const MAX_REMEMBERED = 10_000;

/** A token already checked for one Host and store: only its lifetime remains to be checked again. */
interface Remembered {
  token: string;
  host: string | undefined;
  store: string;
  objectId: string;
  tenantId: string;
  usableUntil: number;
}

const NOT_MINE: Outcome = { kind: 'notMine' };

const fail = (description: string): Outcome => ({
  kind: 'fail',
  error: appConfigErrors.unauthorized(challenges.bearer(description)),
});

/**
 * Entra ID access tokens issued by Tessera. Any of Tessera's tenants may have issued the token as
 * far as the signature check goes; it must then be the tenant of the store's subscription, which
 * the service reports with its own "wrong issuer" text. One verifier per server, so verified
 * signatures are cached across requests.
 */
export class BearerAuthenticator implements Authenticator {
  private readonly verifier: BearerVerifier;
  /** Issuer → its tenant when it is one of Tessera's own issuers, else null (parsing URLs per request shows in profiles). */
  private readonly issuers = new Map<string, string | null>();
  private readonly isOwnIssuer: (iss: string) => boolean;
  /** Host header → policy: the audience rule depends on the Host, and there are few distinct ones. */
  private readonly policies = new Map<string, BearerPolicy>();
  /** By signature segment (hashing whole tokens per request is measurable); the full token is compared. */
  private readonly remembered = new Map<string, Remembered>();

  constructor(
    keys: SigningKeys,
    private readonly origins: PublicOrigins,
  ) {
    this.verifier = new BearerVerifier(new LocalKeys(keys), { clockToleranceSeconds: CLOCK_SKEW_SECONDS });
    this.isOwnIssuer = (iss) => this.ownIssuerTenant(iss) !== null;
  }

  private policyFor(host: string | undefined, storePort: number | null): BearerPolicy {
    const key = `${host ?? ''} ${storePort ?? ''}`;
    let policy = this.policies.get(key);
    if (!policy) {
      policy = { issuers: this.isOwnIssuer, audience: (aud) => isAcceptedAudience(aud, host, storePort) };
      // Hosts come from clients: bound the memo.
      if (this.policies.size >= 1000) this.policies.clear();
      this.policies.set(key, policy);
    }
    return policy;
  }

  private ownIssuerTenant(iss: string): string | null {
    let tenant = this.issuers.get(iss);
    if (tenant === undefined) {
      const named = tenantOfIssuer(iss);
      tenant = named !== undefined && ownIssuersOf(this.origins, named)(iss) ? named : null;
      // Issuers come from tokens (signature-checked only later): bound the memo.
      if (this.issuers.size >= 1000) this.issuers.clear();
      this.issuers.set(iss, tenant);
    }
    return tenant;
  }

  authenticate(request: AuthenticationRequest): Outcome | Promise<Outcome> {
    const match = SCHEME.exec(request.headers.authorization ?? '');
    if (!match) return NOT_MINE;
    const token = match[1]?.trim();
    if (!token) return fail(bearerDescriptions.invalid);
    const known = this.remembered.get(token.slice(token.lastIndexOf('.') + 1));
    if (
      known?.token === token &&
      known.host === request.headers.host &&
      known.store === request.store.nameLower &&
      Date.now() / 1000 < known.usableUntil
    ) {
      return this.forStore(request, known.tenantId, known.objectId);
    }
    return this.check(request, token);
  }

  /** The token is good; it must also come from the tenant of the store's subscription. */
  private forStore(request: AuthenticationRequest, tenantId: string, objectId: string): Outcome {
    if (tenantId !== request.store.tenantId) return fail(bearerDescriptions.wrongIssuer);
    return { kind: 'pass', caller: { kind: 'principal', objectId, tenantId } };
  }

  private async check(request: AuthenticationRequest, token: string): Promise<Outcome> {
    const policy = this.policyFor(request.headers.host, request.store.port);
    let verified: VerifiedBearer;
    try {
      verified = await this.verifier.verify(token, policy);
    } catch (error) {
      if (error instanceof TokenValidationError) return fail(bearerDescriptions.invalid);
      throw error;
    }
    const { claims } = verified;
    const issuerTenant = this.ownIssuerTenant(claims.iss);
    if (issuerTenant === null || issuerTenant !== claims.tid?.toLowerCase()) {
      return fail(bearerDescriptions.invalid);
    }
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
    this.remembered.set(token.slice(token.lastIndexOf('.') + 1), {
      token,
      host: request.headers.host,
      store: request.store.nameLower,
      objectId: verified.principal.objectId,
      tenantId: issuerTenant,
      usableUntil: claims.exp + CLOCK_SKEW_SECONDS,
    });
    return this.forStore(request, issuerTenant, verified.principal.objectId);
  }
}
