import type { FastifyReply } from 'fastify';
import type { Tenant } from '../../directory/model.js';
import { findClient } from '../clientAuthentication.js';
import { AadstsError, aadsts } from '../errors.js';
import type { PageContext } from '../interaction/pageContext.js';
import { show, tenantView } from '../interaction/pageContext.js';
import type { DeviceVerification, PendingSignIn, SignedIn } from '../interaction/pendingSignIns.js';
import { tryGrant } from '../interaction/tryGrant.js';
import { messagePage } from '../pages/messagePage.js';

/**
 * The person's answer to "Are you trying to sign in to …?": Continue approves the device code
 * for them (the device's next poll gets tokens), Cancel declines it (the poll hears
 * authorization_declined). Either way the pending sign-in is over.
 */
export async function answerDevice(
  ctx: PageContext,
  pending: PendingSignIn,
  device: DeviceVerification,
  signedIn: SignedIn,
  approve: boolean,
): Promise<FastifyReply> {
  const { directory, signIns } = ctx.services;
  const tenant = await directory.tenants.find(signedIn.tenantId);
  if (!tenant) throw aadsts.signInFlowExpired();
  if (!(await signIns.pending.complete(pending, ctx.now))) throw aadsts.signInFlowExpired();
  const page = (heading: string, text: string, kind: 'ok' | 'bad' | 'info', title: string) =>
    show(ctx, (nonce) => messagePage({ title, heading, text, kind, tenant: tenantView(tenant) }, nonce));

  if (!approve) {
    await signIns.deviceCodes.decline(device.deviceCodeHash, ctx.now);
    return page(
      'Sign-in cancelled',
      `You declined to sign in to ${device.clientName} on your device. You can close this window.`,
      'info',
      'Sign-in cancelled',
    );
  }
  // On /organizations the person's tenant is known only now: the app must exist there.
  try {
    await findClient(ctx.services, tenant, device.clientId);
  } catch (error) {
    // The device would otherwise poll until the code expires: tell it now.
    if (error instanceof AadstsError && error.status < 500) {
      await signIns.deviceCodes.decline(device.deviceCodeHash, ctx.now);
    }
    throw error;
  }
  const approved = await signIns.deviceCodes.approve(device.deviceCodeHash, signedIn, ctx.now);
  if (!approved) {
    return page(
      'This code has expired',
      'The code is no longer valid: it expired or was already used. Start the sign-in on your device again to get a new code.',
      'bad',
      'Code expired',
    );
  }
  if (signedIn.via === 'session') await logSessionSignIn(ctx, signedIn, device, tenant);
  return page(
    `You have signed in to ${device.clientName}`,
    'You have signed in to the application on your device. You may now close this window.',
    'ok',
    'Signed in',
  );
}

/** A device approved with the browser's session rather than a password: still a sign-in to log. */
async function logSessionSignIn(
  ctx: PageContext,
  signedIn: SignedIn,
  device: DeviceVerification,
  tenant: Tenant,
): Promise<void> {
  const { directory, signIns } = ctx.services;
  const [user, granted] = await Promise.all([
    directory.users.findById(tenant.id, signedIn.userId),
    tryGrant(ctx, tenant, device.clientId, device.scope),
  ]);
  await signIns.log.record({
    tenantId: tenant.id,
    userId: signedIn.userId,
    userPrincipalName: user?.userPrincipalName ?? '',
    userDisplayName: user?.displayName ?? null,
    app: { appId: device.clientId, displayName: device.clientName },
    resource: granted
      ? { appId: granted.resource.application.appId, displayName: granted.resource.application.displayName }
      : null,
    ipAddress: ctx.request.ip,
    correlationId: ctx.correlationId,
    flow: 'device_code',
    interactive: true,
    errorCode: 0,
    failureReason: null,
  });
}
