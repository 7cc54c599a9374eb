import { verify as rsaVerify } from 'node:crypto';
import { TokenValidationError } from './errors.js';
import type { KeyResolver } from './keys/keyResolver.js';
import type { AccessTokenClaims, Principal } from './principal.js';
import { principalFromClaims } from './principal.js';
import { ValidatedTokenCache } from './tokenCache.js';

/** What one protected resource accepts. */
export interface BearerPolicy {
  /** Exact issuer strings (every host alias and token version of the resource's tenant). */
  issuers: ReadonlySet<string> | ((iss: string) => boolean);
  /** Audiences as compared by the service (ARM: case-insensitive; App Configuration: exact Host). */
  audience: (aud: string) => boolean;
}

export interface VerifiedBearer {
  claims: AccessTokenClaims;
  principal: Principal;
}

export interface BearerVerifierOptions {
  /** Allowed clock skew for exp and nbf; Azure's resource providers allow 5 minutes. */
  clockToleranceSeconds?: number;
  cache?: ValidatedTokenCache;
  now?: () => number;
}

const KID = /^[A-Za-z0-9_-]{1,128}$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Header parameters that would let the token choose its own key or extend the rules. */
const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit'];

const fail = (
  code: TokenValidationError['code'],
  message: string,
  details?: TokenValidationError['details'],
) => new TokenValidationError(code, message, details);

function decodeJson(segment: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the same error as a non-object
  }
  throw fail('malformed', `The token ${what} is not a JSON object.`);
}

/**
 * The resource-server check of an Entra access token: RS256 only, the key chosen by `kid`
 * from the issuer's published keys (never from the token), then time, issuer and audience.
 */
export class BearerVerifier {
  private readonly skew: number;
  private readonly cache: ValidatedTokenCache;
  private readonly now: () => number;

  constructor(
    private readonly keys: KeyResolver,
    options: BearerVerifierOptions = {},
  ) {
    this.skew = options.clockToleranceSeconds ?? 300;
    this.cache = options.cache ?? new ValidatedTokenCache();
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async verify(token: string, policy: BearerPolicy): Promise<VerifiedBearer> {
    const now = this.now();
    const claims = this.cache.get(token, now) ?? (await this.verifySignature(token, now));
    checkClaims(claims, policy, now, this.skew);
    return { claims, principal: principalFromClaims(claims) };
  }

  private async verifySignature(token: string, now: number): Promise<AccessTokenClaims> {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) {
      throw fail('malformed', 'The token is not a compact JWS.');
    }
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = decodeJson(headerPart, 'header');
    // Exact match: 'none', 'None', 'HS256' and every other algorithm are refused.
    if (header.alg !== 'RS256')
      throw fail('unsupported_algorithm', `The algorithm '${String(header.alg)}' is not allowed.`);
    const forbidden = FORBIDDEN_HEADERS.find((name) => name in header);
    if (forbidden)
      throw fail('forbidden_header', `The token header parameter '${forbidden}' is not allowed.`);
    if (typeof header.kid !== 'string' || !KID.test(header.kid))
      throw fail('malformed', 'The token has no valid kid.');
    const key = await this.keys.find(header.kid, { refresh: true });
    if (!key) throw fail('unknown_key', `The signing key '${header.kid}' is not one of the issuer's keys.`);
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    if (!rsaVerify('sha256', signed, key, Buffer.from(signaturePart, 'base64url'))) {
      throw fail('bad_signature', 'The token signature is not valid.');
    }
    const claims = asClaims(decodeJson(payloadPart, 'payload'));
    if (claims.exp + this.skew > now) this.cache.set(token, claims, claims.exp + this.skew);
    return claims;
  }
}

function asClaims(payload: Record<string, unknown>): AccessTokenClaims {
  for (const name of ['exp', 'nbf', 'iat']) {
    if (name in payload && typeof payload[name] !== 'number')
      throw fail('malformed', `The '${name}' claim is not a number.`);
  }
  if (typeof payload.exp !== 'number') throw fail('missing_claim', "The token has no 'exp' claim.");
  if (typeof payload.iss !== 'string') throw fail('missing_claim', "The token has no 'iss' claim.");
  if (typeof payload.aud !== 'string') throw fail('missing_claim', "The token has no single 'aud' claim.");
  return payload as AccessTokenClaims;
}

function checkClaims(claims: AccessTokenClaims, policy: BearerPolicy, now: number, skew: number): void {
  const details = { iss: claims.iss, aud: claims.aud, exp: claims.exp, tid: claims.tid };
  if (claims.exp + skew <= now) throw fail('expired', 'The token has expired.', details);
  if (claims.nbf !== undefined && claims.nbf - skew > now)
    throw fail('not_yet_valid', 'The token is not yet valid.', details);
  const issuerOk =
    typeof policy.issuers === 'function' ? policy.issuers(claims.iss) : policy.issuers.has(claims.iss);
  if (!issuerOk) throw fail('wrong_issuer', `The issuer '${claims.iss}' is not accepted.`, details);
  if (!policy.audience(claims.aud))
    throw fail('wrong_audience', `The audience '${claims.aud}' is not accepted.`, details);
  // An ID token is for the client, never for an API: it carries neither scp, roles nor idtyp=app,
  // and it is the only kind with a nonce or hash claims.
  const delegated = typeof claims.scp === 'string' && claims.scp !== '';
  const appOnly = claims.idtyp === 'app' || Array.isArray(claims.roles);
  if ((!delegated && !appOnly) || 'nonce' in claims || 'at_hash' in claims || 'c_hash' in claims) {
    throw fail('not_an_access_token', 'The token is not an access token.', details);
  }
  if (typeof claims.tid !== 'string' || typeof claims.oid !== 'string') {
    throw fail('missing_claim', "The token has no 'tid' or 'oid' claim.", details);
  }
}
