import { accountStore } from './accounts.js';
import { AuthorityError } from './authorityError.js';
import type { Resource } from './config.js';
import { SIGN_IN_SCOPES, scopeOf } from './config.js';
import { requestTokens } from './tokenEndpoint.js';

interface CachedToken {
  token: string;
  /** Epoch milliseconds after which it is not used (five minutes before it expires). */
  usableUntil: number;
}

const SKEW_MS = 5 * 60 * 1000;

/** Access tokens, in memory only: a reload gets new ones from the refresh token. */
class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  get(tenantId: string, resource: Resource): string | undefined {
    const cached = this.tokens.get(`${tenantId} ${resource}`);
    return cached && cached.usableUntil > Date.now() ? cached.token : undefined;
  }

  put(tenantId: string, resource: Resource, token: string, expiresInSeconds: number): void {
    this.tokens.set(`${tenantId} ${resource}`, {
      token,
      usableUntil: Date.now() + expiresInSeconds * 1000 - SKEW_MS,
    });
  }

  drop(tenantId: string, resource: Resource): void {
    this.tokens.delete(`${tenantId} ${resource}`);
  }

  clear(): void {
    this.tokens.clear();
  }
}

export const tokenCache = new TokenCache();

/** Thrown when the account must sign in again (its refresh token was refused). */
export class SignInRequired extends Error {
  override readonly name = 'SignInRequired';
  constructor(
    readonly tenantId: string,
    readonly username: string | undefined,
    readonly reason: AuthorityError,
  ) {
    super(reason.message);
  }
}

/**
 * Refresh tokens are single use and a reused one revokes its whole family, so two refreshes must
 * never present the same one: every refresh of the tab waits for the one before it.
 */
let refreshing: Promise<unknown> = Promise.resolve();

/**
 * An access token for one of the APIs, for the active account: from memory, else from the
 * refresh token (the authority's refresh tokens are good for any resource, as Entra's are).
 */
export async function accessToken(resource: Resource): Promise<string> {
  const account = accountStore.active();
  if (!account)
    throw new SignInRequired('', undefined, new AuthorityError('login_required', 'Sign in to continue.'));
  const cached = tokenCache.get(account.tenantId, resource);
  if (cached) return cached;
  const next = refreshing.then(() => redeemRefreshToken(account.tenantId, resource));
  refreshing = next.catch(() => undefined);
  return next;
}

async function redeemRefreshToken(tenantId: string, resource: Resource): Promise<string> {
  // Another caller may have fetched it while this one waited its turn.
  const cached = tokenCache.get(tenantId, resource);
  if (cached) return cached;
  const account = accountStore.load()?.accounts.find((a) => a.tenantId === tenantId);
  if (!account)
    throw new SignInRequired(
      tenantId,
      undefined,
      new AuthorityError('login_required', 'Sign in to continue.'),
    );
  try {
    const tokens = await requestTokens(tenantId, {
      grant_type: 'refresh_token',
      refresh_token: account.refreshToken,
      scope: `${scopeOf(resource)} ${SIGN_IN_SCOPES}`,
    });
    if (tokens.refreshToken) accountStore.replaceRefreshToken(tenantId, tokens.refreshToken);
    tokenCache.put(tenantId, resource, tokens.accessToken, tokens.expiresIn);
    return tokens.accessToken;
  } catch (error) {
    if (error instanceof AuthorityError && error.error === 'invalid_grant') {
      accountStore.forget(tenantId);
      throw new SignInRequired(tenantId, account.username, error);
    }
    throw error;
  }
}
