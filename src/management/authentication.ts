import type { SigningKeys } from '../authority/tokens/signingKeys.js';
import { BearerVerifier } from '../guard/bearerVerifier.js';
import type { BearerPolicy, VerifiedBearer } from '../guard/bearerVerifier.js';
import { TokenValidationError } from '../guard/errors.js';
import type { TokenRejection } from '../guard/errors.js';
import { ownIssuersOf, tenantOfIssuer } from '../guard/issuers.js';
import { LocalKeys } from '../guard/keys/localKeys.js';
import type { PublicOrigins } from '../server/origins.js';
import { ArmError } from './arm/errors.js';

/** ARM's audiences (compared case-insensitively), as listed in its wrong-audience message, plus its appId. */
const ARM_AUDIENCES = [
  'https://management.core.windows.net/',
  'https://management.core.windows.net',
  'https://management.azure.com/',
  'https://management.azure.com',
];
const ARM_APP_ID = '797f4846-ba00-4fd7-ba43-dac1f8f63013';
const acceptedAudiences = new Set([...ARM_AUDIENCES, ARM_APP_ID]);

export interface AuthenticationInput {
  /** The Authorization header as received. */
  authorization: string | undefined;
  /** The origin the client called (issuers and challenges are built on it). */
  origin: string;
  /** Tenant of the subscription named in the path, when it names an existing one. */
  subscriptionTenantId?: string;
  /** The tenant a challenge points to when neither the path nor the token names one. */
  defaultTenantId: () => Promise<string>;
}

const BEARER = /^Bearer +(\S+)\s*$/i;

/**
 * The authority a 401 challenge names: the subscription's tenant, else the token's, else the
 * default one. Only failures build it, so a request that passes never looks a tenant up.
 */
async function authorityOf(input: AuthenticationInput, tokenTenantId?: string): Promise<string> {
  return `${input.origin}/${input.subscriptionTenantId ?? tokenTenantId ?? (await input.defaultTenantId())}`;
}

const MISSING_HEADER = "Authentication failed. The 'Authorization' header is missing.";
const INVALID_FORMAT = "Authentication failed. The 'Authorization' header is provided in an invalid format.";
const INVALID_TOKEN = 'The access token is invalid.';

const codeOfRejection: Record<TokenRejection, string> = {
  missing: 'AuthenticationFailed',
  malformed: 'InvalidAuthenticationToken',
  unsupported_algorithm: 'InvalidAuthenticationToken',
  forbidden_header: 'InvalidAuthenticationToken',
  unknown_key: 'InvalidAuthenticationToken',
  bad_signature: 'InvalidAuthenticationToken',
  missing_claim: 'InvalidAuthenticationToken',
  not_an_access_token: 'InvalidAuthenticationToken',
  not_yet_valid: 'InvalidAuthenticationToken',
  expired: 'ExpiredAuthenticationToken',
  wrong_issuer: 'InvalidAuthenticationTokenTenant',
  wrong_audience: 'InvalidAuthenticationTokenAudience',
};

/** ARM writes UTC times the .NET way: `3/7/2025 4:05:06 PM`. */
export function armUtcTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const hours = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${hours % 12 === 0 ? 12 : hours % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${time} ${hours < 12 ? 'AM' : 'PM'}`;
}

// Token text (iss, aud) ends up in a header: keep it printable ASCII and quote-safe.
const headerSafe = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, "'");

/** ARM's 401: the challenge names the authority to get a token from, the body says why. */
function challenge(code: string, message: string, authority: string, description = message): ArmError {
  const header =
    `Bearer authorization_uri="${headerSafe(authority)}", error="invalid_token", ` +
    `error_description="${headerSafe(description)}"`;
  return new ArmError(401, code, message, { 'www-authenticate': header });
}

const wrongTenantMessage = (iss: string, authority: string): string =>
  `The access token is from the wrong issuer '${iss}'. It must match the tenant '${authority}/' associated with this subscription. ` +
  `Please use the authority (URL) '${authority}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, ` +
  `but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`;

/**
 * The management API's guard: a bearer token issued by Tessera for the token's own tenant, for
 * ARM's audience, and — when the path names a subscription — from that subscription's tenant.
 * One instance per server, so its verifier's validated-token cache is shared by all requests.
 */
export class ArmAuthenticator {
  private readonly verifier: BearerVerifier;
  private readonly policy: BearerPolicy;

  constructor(keys: SigningKeys, origins: PublicOrigins) {
    this.verifier = new BearerVerifier(new LocalKeys(keys));
    // Issuers are few and every request asks: parse each one once (bounded, as tokens are input).
    const issuerVerdicts = new Map<string, boolean>();
    const originVerdicts = new Map<string, boolean>();
    const ownOrigin = (aud: string): boolean => {
      let verdict = originVerdicts.get(aud);
      if (verdict === undefined) {
        verdict = origins.isOwnOrigin(aud);
        if (originVerdicts.size >= 1000) originVerdicts.clear();
        originVerdicts.set(aud, verdict);
      }
      return verdict;
    };
    this.policy = {
      // Own issuers of the tenant the issuer names; that this is the token's tid is checked after.
      issuers: (iss) => {
        let verdict = issuerVerdicts.get(iss);
        if (verdict === undefined) {
          const tenantId = tenantOfIssuer(iss);
          verdict = tenantId !== undefined && ownIssuersOf(origins, tenantId)(iss);
          if (issuerVerdicts.size >= 1000) issuerVerdicts.clear();
          issuerVerdicts.set(iss, verdict);
        }
        return verdict;
      },
      audience: (aud) => acceptedAudiences.has(aud.toLowerCase()) || ownOrigin(aud),
    };
  }

  async authenticate(input: AuthenticationInput): Promise<VerifiedBearer> {
    if (input.authorization === undefined) {
      throw challenge(
        'AuthenticationFailed',
        MISSING_HEADER,
        await authorityOf(input),
        "The authentication failed because of missing 'Authorization' header.",
      );
    }
    const match = BEARER.exec(input.authorization);
    if (!match?.[1]) throw challenge('AuthenticationFailed', INVALID_FORMAT, await authorityOf(input));
    let verified: VerifiedBearer;
    try {
      verified = await this.verifier.verify(match[1], this.policy);
    } catch (error) {
      if (!(error instanceof TokenValidationError)) throw error;
      const tokenTenant = typeof error.details.tid === 'string' ? error.details.tid : undefined;
      const uri = await authorityOf(input, tokenTenant);
      throw challenge(codeOfRejection[error.code], this.messageFor(error, uri), uri);
    }
    const { claims } = verified;
    const tokenTenant = claims.tid?.toLowerCase();
    if (tenantOfIssuer(claims.iss) !== tokenTenant) {
      const uri = await authorityOf(input, tokenTenant);
      throw challenge('InvalidAuthenticationTokenTenant', wrongTenantMessage(claims.iss, uri), uri);
    }
    if (input.subscriptionTenantId !== undefined && input.subscriptionTenantId !== tokenTenant) {
      const uri = await authorityOf(input);
      throw challenge('InvalidAuthenticationTokenTenant', wrongTenantMessage(claims.iss, uri), uri);
    }
    return verified;
  }

  private messageFor(error: TokenValidationError, authority: string): string {
    const { details } = error;
    switch (error.code) {
      case 'expired':
        return `The access token expiry UTC time '${armUtcTime(details.exp ?? 0)}' is earlier than current UTC time '${armUtcTime(Date.now() / 1000)}'.`;
      case 'wrong_audience':
        return (
          `The access token has been obtained for wrong audience or resource '${details.aud ?? ''}'. ` +
          `It should exactly match with one of the allowed audiences ${ARM_AUDIENCES.map((a) => `'${a}'`).join(',')}.`
        );
      case 'wrong_issuer':
        return wrongTenantMessage(details.iss ?? '', authority);
      case 'missing':
        return MISSING_HEADER;
      default:
        return INVALID_TOKEN;
    }
  }
}
