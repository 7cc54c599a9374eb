import { BearerVerifier } from './bearerVerifier.js';
import type { BearerPolicy, VerifiedBearer } from './bearerVerifier.js';
import { TokenValidationError } from './errors.js';
import type { KeyResolver } from './keys/keyResolver.js';
import { RemoteJwks } from './keys/remoteJwks.js';
import { ValidatedTokenCache } from './tokenCache.js';

export interface GuardOptions {
  /** The authority host: `https://login.microsoftonline.com`, or a Tessera such as `https://localhost:8443`. */
  authority: string;
  /** The tenant whose tokens this API accepts. */
  tenantId: string;
  /** Accepted `aud` values: the API's App ID URI and/or client id. */
  audiences: readonly string[];
  /** Defaults to the tenant's `discovery/v2.0/keys` on the authority. */
  jwksUri?: string;
  /** Defaults to the tenant's v1 and v2 issuers on the authority (Entra's own forms for Microsoft's cloud). */
  issuers?: readonly string[];
  clockToleranceSeconds?: number;
  /** How many verified tokens to remember (each until it expires). */
  cacheSize?: number;
  /** Supply keys another way (tests, or Tessera's in-process keys). */
  keys?: KeyResolver;
  fetch?: typeof fetch;
}

/** A refused request: status 401 and the challenge a client needs to fetch a proper token. */
export class GuardError extends Error {
  override readonly name = 'GuardError';
  readonly status = 401;
  constructor(
    readonly code: 'AuthenticationFailed' | 'InvalidAuthenticationToken' | 'ExpiredAuthenticationToken',
    message: string,
    readonly wwwAuthenticate: string,
    readonly rejection?: TokenValidationError,
  ) {
    super(message);
  }

  /** ARM's error envelope, the shape Azure resource providers answer with. */
  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

const MICROSOFT_AUTHORITIES = new Set(['login.microsoftonline.com', 'login.windows.net', 'sts.windows.net']);

function defaultIssuers(authority: string, tenantId: string): string[] {
  const { host } = new URL(authority);
  if (MICROSOFT_AUTHORITIES.has(host)) {
    return [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`];
  }
  return [`${authority}/${tenantId}/`, `${authority}/${tenantId}/v2.0`];
}

const quote = (value: string): string => value.replace(/["\\]/g, '');

/**
 * The resource-server side as a library: verify an `Authorization` header against one tenant of
 * an Entra-compatible authority and return the caller, or throw a GuardError with its challenge.
 */
export class Guard {
  private readonly verifier: BearerVerifier;
  private readonly policy: BearerPolicy;
  private readonly authorizationUri: string;

  constructor(options: GuardOptions) {
    const authority = options.authority.replace(/\/+$/, '');
    if (!authority.startsWith('https://')) throw new Error('The authority must use https.');
    const tenantId = options.tenantId.toLowerCase();
    const keys =
      options.keys ??
      new RemoteJwks(options.jwksUri ?? `${authority}/${tenantId}/discovery/v2.0/keys`, {
        fetch: options.fetch,
      });
    this.verifier = new BearerVerifier(keys, {
      clockToleranceSeconds: options.clockToleranceSeconds,
      cache: new ValidatedTokenCache(options.cacheSize),
    });
    const audiences = new Set(options.audiences);
    this.policy = {
      issuers: new Set(options.issuers ?? defaultIssuers(authority, tenantId)),
      audience: (aud) => audiences.has(aud),
    };
    this.authorizationUri = `${authority}/${tenantId}`;
  }

  async authenticate(authorization: string | undefined): Promise<VerifiedBearer> {
    const token = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) {
      throw new GuardError(
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        this.challenge("The authentication failed because of missing 'Authorization' header."),
      );
    }
    try {
      return await this.verifier.verify(token, this.policy);
    } catch (error) {
      if (!(error instanceof TokenValidationError)) throw error;
      const expired = error.code === 'expired';
      const message = expired ? 'The access token has expired.' : 'The access token is invalid.';
      throw new GuardError(
        expired ? 'ExpiredAuthenticationToken' : 'InvalidAuthenticationToken',
        message,
        this.challenge(message),
        error,
      );
    }
  }

  private challenge(description: string): string {
    return `Bearer authorization_uri="${quote(this.authorizationUri)}", error="invalid_token", error_description="${quote(description)}"`;
  }
}
