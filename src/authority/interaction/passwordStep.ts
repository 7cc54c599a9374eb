import type { FastifyReply } from 'fastify';
import type { Tenant, User } from '../../directory/model.js';
import { verifyAgainstDecoy } from '../../directory/passwords.js';
import { completeAuthorization } from '../authorize/completeAuthorization.js';
import { AadstsError, aadsts } from '../errors.js';
import type { PageError } from '../pages/components.js';
import { signInWithPassword } from '../signIn/passwordSignIn.js';
import type { Browser } from './browser.js';
import type { PageContext } from './pageContext.js';
import type { PendingSignIn } from './pendingSignIns.js';
import { startSession } from './sso.js';
import { pendingSubject, showStage } from './stagePages.js';
import { tryGrant } from './tryGrant.js';

/**
 * What the page says for each refusal. 50126 never says whether the name or the password was
 * wrong; a locked account says so only after the lockout has started, as Entra does.
 */
const PAGE_TEXT: Record<number, string> = {
  50126:
    'Your account or password is incorrect. If you don’t remember your password, ask your administrator to reset it.',
  50053:
    'Your account is locked because of too many sign-in attempts with an incorrect username or password. Wait a minute, then try again.',
  50057: 'Your account has been disabled. Contact your administrator.',
  50055: 'Your password has expired. Ask your administrator to reset it.',
};

const pageError = (error: AadstsError): PageError & { field: 'username' | 'password' } => ({
  message: PAGE_TEXT[error.code] ?? error.description,
  code: error.code,
  field: 'password',
});

/** The credentials form: the one password check (lockout, log), then a browser session. */
export async function passwordStep(
  ctx: PageContext,
  browser: Browser,
  id: string,
  pending: PendingSignIn,
  fields: ReadonlyMap<string, string>,
): Promise<FastifyReply> {
  const username = (fields.get('username') ?? '').trim();
  const password = fields.get('password') ?? '';
  const retry = (error: PageError & { field: 'username' | 'password' }) =>
    showStage(ctx, browser, id, pending, { typed: username, error });
  if (!username) return retry({ message: 'Enter your username.', field: 'username' });
  if (!password) return retry({ message: 'Enter your password.', field: 'password' });

  const { directory, signIns } = ctx.services;
  const subject = pendingSubject(pending);
  const tenant = await tenantOf(ctx, subject.tenantId, username);
  if (!tenant) {
    // An unknown domain is the same 50126, after the same argon2 work, as a wrong password.
    await verifyAgainstDecoy(password);
    return retry(pageError(aadsts.invalidCredentials()));
  }
  const [application, granted] = await Promise.all([
    directory.applications.findByAppId(subject.clientId),
    tryGrant(ctx, tenant, subject.clientId, subject.scope),
  ]);
  let user: User;
  try {
    user = await signInWithPassword(ctx.services, {
      tenant,
      username,
      password,
      app: { appId: subject.clientId, displayName: application?.displayName ?? subject.appName },
      resource: granted
        ? { appId: granted.resource.application.appId, displayName: granted.resource.application.displayName }
        : null,
      ipAddress: ctx.request.ip,
      correlationId: ctx.correlationId,
      flow: pending.request.kind === 'authorize' ? 'authorization_code' : 'device_code',
      interactive: true,
      now: ctx.now,
    });
  } catch (error) {
    if (error instanceof AadstsError && error.status < 500) return retry(pageError(error));
    throw error;
  }

  const signedIn = await startSession(ctx, tenant, user, ['pwd']);
  const { request } = pending;
  if (request.kind === 'authorize' && request.authorization.prompt !== 'consent') {
    return completeAuthorization(ctx, request.authorization, signedIn, pending);
  }
  const next = request.kind === 'authorize' ? 'consent' : 'confirm';
  await signIns.pending.advance(pending, next, signedIn);
  return showStage(ctx, browser, id, { ...pending, stage: next, signedIn });
}

/** The request's tenant, or on /organizations the one the username's domain names. */
async function tenantOf(
  ctx: PageContext,
  tenantId: string | null,
  username: string,
): Promise<Tenant | undefined> {
  const { tenants } = ctx.services.directory;
  if (tenantId !== null) return tenants.find(tenantId);
  const at = username.lastIndexOf('@');
  return at < 0 ? undefined : tenants.find(username.slice(at + 1));
}
