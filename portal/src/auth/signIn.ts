import { accountStore } from './accounts.js';
import { AuthorityError } from './authorityError.js';
import { PORTAL_CLIENT_ID, SIGN_IN_SCOPES, authorityEndpoint, redirectUri, scopeOf } from './config.js';
import { readIdToken } from './idToken.js';
import { randomToken, s256Challenge } from './pkce.js';
import { hasStrings, isRecord, readJson, removeKey, writeJson } from './storage.js';
import { tokenCache } from './tokens.js';
import { requestTokens } from './tokenEndpoint.js';

/** A sign-in this tab started: what the redirect back must match, kept until it comes. */
interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  /** The path to show once signed in (a deep link that needed a sign-in first). */
  returnTo: string;
}

const PENDING = 'pending';
const SIGNED_OUT = 'signedOut';
const isPending = (value: unknown): value is PendingSignIn =>
  isRecord(value) && hasStrings(value, ['state', 'nonce', 'verifier', 'returnTo']);

/** Only paths of the portal itself (history.replaceState refuses other origins anyway). */
const portalPath = (path: string): string => (path.startsWith('/portal/') ? path : '/portal/');

export interface SignInOptions {
  /** A tenant id or domain, or `organizations` (the username's domain picks the tenant). */
  tenant?: string;
  prompt?: 'login' | 'select_account';
  loginHint?: string;
  returnTo?: string;
}

/**
 * Authorization code with PKCE (S256) against this origin's authority: ARM's scope first (the
 * Home screen's), the other APIs' tokens later from the refresh token. state ties the response to
 * this tab, nonce the ID token to this request.
 */
export function beginSignIn(options: SignInOptions = {}): Promise<never> {
  // Every request of a page that finds its refresh token refused asks for a sign-in at once: the
  // first one leaves, and the others must not overwrite its state with theirs.
  leaving ??= redirectToAuthority(options);
  return leaving;
}

let leaving: Promise<never> | undefined;

async function redirectToAuthority(options: SignInOptions): Promise<never> {
  const pending: PendingSignIn = {
    state: randomToken(),
    nonce: randomToken(16),
    verifier: randomToken(32),
    // The whole address: a page's query names what it shows (IAM's scope, a store's filter).
    returnTo: portalPath(options.returnTo ?? `${location.pathname}${location.search}${location.hash}`),
  };
  writeJson(PENDING, pending);
  removeKey(SIGNED_OUT);
  const url = new URL(authorityEndpoint(options.tenant ?? 'organizations', 'authorize'));
  const params: Record<string, string> = {
    client_id: PORTAL_CLIENT_ID,
    response_type: 'code',
    response_mode: 'query',
    redirect_uri: redirectUri(),
    scope: `${scopeOf('arm')} ${SIGN_IN_SCOPES}`,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await s256Challenge(pending.verifier),
    code_challenge_method: 'S256',
    client_info: '1',
  };
  if (options.prompt) params.prompt = options.prompt;
  if (options.loginHint) params.login_hint = options.loginHint;
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  location.assign(url.href);
  // The page is leaving; nothing after this should run.
  return new Promise<never>(() => undefined);
}

export type Callback =
  { kind: 'none' } | { kind: 'signedIn'; returnTo: string } | { kind: 'failed'; error: AuthorityError };

/**
 * The redirect back from the authority (`/portal/?code=…&state=…` or `?error=…`): checks it
 * answers this tab's pending sign-in, redeems the code with the verifier, keeps the account. The
 * address bar is cleaned either way, so a reload never replays the code.
 */
export async function completeSignIn(url: URL): Promise<Callback> {
  const state = url.searchParams.get('state');
  const code = url.searchParams.get('code');
  const error = url.searchParams.get('error');
  if (state === null || (code === null && error === null)) return { kind: 'none' };
  const pending = readJson(PENDING, isPending);
  removeKey(PENDING);
  history.replaceState(null, '', pending?.returnTo ?? '/portal/');
  if (!pending || pending.state !== state) {
    return {
      kind: 'failed',
      error: new AuthorityError(
        'invalid_state',
        'This sign-in response does not answer a sign-in started in this tab.',
      ),
    };
  }
  if (error !== null)
    return { kind: 'failed', error: AuthorityError.from(error, url.searchParams.get('error_description')) };
  try {
    const tokens = await requestTokens('organizations', {
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
      scope: `${scopeOf('arm')} ${SIGN_IN_SCOPES}`,
    });
    const identity = readIdToken(tokens.idToken, pending.nonce, Date.now() / 1000);
    if (!tokens.refreshToken)
      throw new AuthorityError('invalid_response', 'The sign-in returned no refresh token.');
    accountStore.signedIn({ ...identity, refreshToken: tokens.refreshToken });
    tokenCache.put(identity.tenantId, 'arm', tokens.accessToken, tokens.expiresIn);
    return { kind: 'signedIn', returnTo: pending.returnTo };
  } catch (caught) {
    const failure = caught instanceof AuthorityError ? caught : new AuthorityError('error', String(caught));
    return { kind: 'failed', error: failure };
  }
}

/**
 * Ends the SSO session of every tenant with the authority (which also revokes the refresh tokens
 * those sessions issued) and forgets this tab's accounts; the authority then sends the browser
 * back here, where the portal says it signed out instead of signing in again.
 */
export function signOut(): void {
  accountStore.clear();
  tokenCache.clear();
  writeJson(SIGNED_OUT, true);
  const url = new URL(authorityEndpoint('common', 'logout'));
  url.searchParams.set('client_id', PORTAL_CLIENT_ID);
  url.searchParams.set('post_logout_redirect_uri', redirectUri());
  location.assign(url.href);
}

export const hasSignedOut = (): boolean => readJson(SIGNED_OUT, (v): v is true => v === true) === true;
