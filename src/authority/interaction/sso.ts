import type { Tenant, User } from '../../directory/model.js';
import { parseCookies, sessionCookieName, sessionCookies, setCookie } from './cookies.js';
import type { PageContext } from './pageContext.js';
import type { SignedIn } from './pendingSignIns.js';
import type { SignInSession } from './sessions.js';

export interface ActiveSession {
  session: SignInSession;
  user: User;
  tenant: Tenant;
}

/**
 * The browser's live session: for a tenant, its cookie; for /organizations (tenantId null), the
 * one session the browser has, or the one whose user the login_hint names. A session dies with
 * a password change, a disabled account or a deleted user, whatever its cookie says.
 */
export async function activeSession(
  ctx: PageContext,
  cookies: ReadonlyMap<string, string>,
  tenantId: string | null,
  loginHint: string | null,
): Promise<ActiveSession | undefined> {
  const { directory, signIns } = ctx.services;
  const live: ActiveSession[] = [];
  for (const cookie of sessionCookies(cookies)) {
    if (tenantId !== null && cookie.tenantId !== tenantId) continue;
    const session = await signIns.sessions.find(cookie.token, cookie.tenantId, ctx.now);
    if (!session) continue;
    const [tenant, user] = await Promise.all([
      directory.tenants.find(session.tenantId),
      directory.users.findById(session.tenantId, session.userId),
    ]);
    if (!tenant || !user || !user.accountEnabled || user.credentialVersion !== session.credentialVersion)
      continue;
    live.push({ session, user, tenant });
  }
  const hint = loginHint?.toLowerCase();
  const matching = hint ? live.filter((s) => s.user.userPrincipalName.toLowerCase() === hint) : live;
  return matching.length === 1 ? matching[0] : undefined;
}

/**
 * Starts a browser session for a fresh password sign-in and sets its cookie. The same person
 * signing in again (prompt=login) renews their session rather than starting a second one; a
 * different person's session in this browser loses its cookie and expires on its own.
 */
export async function startSession(
  ctx: PageContext,
  tenant: Tenant,
  user: User,
  amr: string[],
): Promise<SignedIn> {
  const { sessions } = ctx.services.signIns;
  const name = sessionCookieName(tenant.id);
  const current = parseCookies(ctx.request.headers.cookie).get(name);
  const existing = current === undefined ? undefined : await sessions.find(current, tenant.id, ctx.now);
  const fresh = { authTime: ctx.now, amr, credentialVersion: user.credentialVersion };
  const { session, token } =
    existing?.userId === user.objectId
      ? await sessions.renew(existing, fresh)
      : await sessions.start({ tenantId: tenant.id, userId: user.objectId, ...fresh });
  ctx.reply.header('set-cookie', setCookie(name, token));
  return signedInFrom(session, 'password');
}

export const signedInFrom = (session: SignInSession, via: SignedIn['via'] = 'session'): SignedIn => ({
  userId: session.userId,
  tenantId: session.tenantId,
  sessionId: session.id,
  authTime: session.authTime,
  amr: session.amr,
  via,
});
