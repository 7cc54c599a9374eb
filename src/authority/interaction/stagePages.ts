import type { FastifyReply } from 'fastify';
import type { Tenant } from '../../directory/model.js';
import { formActionSource } from '../authorize/redirectUri.js';
import { accountPickerPage } from '../pages/accountPickerPage.js';
import type { PageError } from '../pages/components.js';
import { confirmPage } from '../pages/confirmPage.js';
import { signInPage } from '../pages/signInPage.js';
import type { Browser } from './browser.js';
import type { PageContext } from './pageContext.js';
import { show, tenantView } from './pageContext.js';
import type { PendingSignIn } from './pendingSignIns.js';
import { tryGrant } from './tryGrant.js';

/** The `/{tenant}` segment, the app and the tenant id of a pending sign-in of either kind. */
export function pendingSubject(pending: PendingSignIn): {
  segment: string;
  clientId: string;
  appName: string;
  tenantId: string | null;
  scope: string;
} {
  const { request } = pending;
  return request.kind === 'authorize'
    ? {
        segment: request.authorization.tenantSegment,
        clientId: request.authorization.clientId,
        appName: request.authorization.clientName,
        tenantId: request.authorization.tenantId,
        scope: request.authorization.scope,
      }
    : {
        segment: request.device.tenantSegment,
        clientId: request.device.clientId,
        appName: request.device.clientName,
        tenantId: request.device.tenantId,
        scope: request.device.scope,
      };
}

/** Where every step of a pending sign-in posts. */
export const loginAction = (pending: PendingSignIn): string =>
  `/${encodeURIComponent(pendingSubject(pending).segment)}/login`;

/** OIDC scopes as the consent page words them. */
const OIDC_WORDS: Record<string, string> = {
  openid: 'Sign you in',
  profile: 'View your basic profile',
  email: 'View your email address',
  offline_access: 'Maintain access to data you have given it access to',
};

/**
 * Shows the page of the pending sign-in's stage. `id` is the opaque id the page carries;
 * `typed` and `error` re-show the sign-in form after a failed attempt.
 */
export async function showStage(
  ctx: PageContext,
  browser: Browser,
  id: string,
  pending: PendingSignIn,
  retry: { typed?: string; error?: PageError & { field: 'username' | 'password' } } = {},
): Promise<FastifyReply> {
  const { directory, signIns } = ctx.services;
  const subject = pendingSubject(pending);
  const signedIn = pending.signedIn;
  const tenantId = signedIn?.tenantId ?? subject.tenantId;
  const tenant = tenantId === null ? undefined : await directory.tenants.find(tenantId);
  const common = {
    action: loginAction(pending),
    flow: id,
    csrf: await signIns.csrf.token(browser, pending.idHash),
    tenant: tenantView(tenant),
    appName: subject.appName,
  };
  // A step may end in a redirect to the client, and Chromium holds that redirect to form-action.
  const security =
    pending.request.kind === 'authorize'
      ? { formActions: [formActionSource(pending.request.authorization.redirectUri)] }
      : {};
  const user = signedIn && (await directory.users.findById(signedIn.tenantId, signedIn.userId));
  const account = user
    ? { displayName: user.displayName, userPrincipalName: user.userPrincipalName }
    : undefined;

  if (pending.stage === 'account' && account) {
    return show(ctx, (nonce) => accountPickerPage({ ...common, account }, nonce), security);
  }
  if (pending.stage === 'confirm' && account) {
    return show(ctx, (nonce) => confirmPage({ ...common, account, kind: 'device' }, nonce), security);
  }
  if (pending.stage === 'consent' && account && tenant) {
    const permissions = await permissionsOf(ctx, tenant, subject.clientId, subject.scope);
    return show(
      ctx,
      (nonce) => confirmPage({ ...common, account, kind: 'consent', permissions }, nonce),
      security,
    );
  }
  const loginHint = pending.request.kind === 'authorize' ? pending.request.authorization.loginHint : null;
  return show(
    ctx,
    (nonce) =>
      signInPage(
        { ...common, username: retry.typed ?? loginHint ?? '', ...(retry.error && { error: retry.error }) },
        nonce,
      ),
    security,
  );
}

/** What prompt=consent lists: the resource's permissions by their display names, then OIDC's. */
async function permissionsOf(
  ctx: PageContext,
  tenant: Tenant,
  clientId: string,
  scope: string,
): Promise<string[]> {
  const granted = await tryGrant(ctx, tenant, clientId, scope);
  if (!granted) return [];
  const declared = granted.resource.application.oauth2PermissionScopes;
  const named = granted.scp.map(
    (value) => declared.find((s) => s.value === value)?.adminConsentDisplayName ?? value,
  );
  return [...[...granted.oidc].map((s) => OIDC_WORDS[s] ?? s), ...named];
}
