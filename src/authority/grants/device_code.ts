import type { Tenant } from '../../directory/model.js';
import type { StoredDeviceCode } from '../deviceCode/deviceCodes.js';
import { authenticateClient, clientAuthParameters, presentedCredentials } from '../clientAuthentication.js';
import type { TokenRequest, TokenResponse } from '../context.js';
import { aadsts } from '../errors.js';
import { redeemSignIn } from '../tokens/userTokens.js';

/** msal-node sends the bare name; RFC 8628 §3.4 names the URN. Both work, as on Entra. */
export const grantTypes = ['device_code', 'urn:ietf:params:oauth:grant-type:device_code'];

export const parameters = new Set([
  ...clientAuthParameters,
  'device_code',
  // ADAL's v1 device flow sends the device code as `code`.
  'code',
  'scope',
  'resource',
  'client_info',
]);

/**
 * RFC 8628 §3.4–3.5: the device polls until the person approves, declines or the code expires.
 * `slow_down` is never sent: msal-node (and so @azure/identity) stops polling on any error but
 * `authorization_pending`, so a client polling too fast is simply told to keep waiting and the
 * `interval` of the device authorization response is the only pacing.
 */
export async function handler(request: TokenRequest): Promise<TokenResponse> {
  const { services } = request;
  const presented = request.params.get('device_code') ?? request.params.get('code');
  if (!presented) throw aadsts.missingParameter('device_code');
  const device = await services.signIns.deviceCodes.find(presented);
  if (!device) throw aadsts.invalidGrant();
  // The code is bound to its client and tenant before anything about its state is told.
  const { clientId } = presentedCredentials(request.params, request.authorization);
  if (clientId?.toLowerCase() !== device.clientId) throw aadsts.invalidGrant();
  const boundTenant = device.approval?.tenantId ?? device.tenantId;
  if (request.tenant.kind === 'tenant' && boundTenant !== null && request.tenant.tenant.id !== boundTenant) {
    throw aadsts.invalidGrant();
  }
  const requestTenant = await tenantFor(request, device);
  const client = await authenticateClient(request, requestTenant, 'device_code');
  if (client.application.appId !== device.clientId) throw aadsts.invalidGrant();

  if (device.status === 'declined') throw aadsts.authorizationDeclined();
  if (device.status === 'redeemed') throw aadsts.invalidGrant();
  if (request.now >= device.expiresAt) throw aadsts.deviceCodeExpired();
  if (device.status === 'pending' || !device.approval) throw aadsts.authorizationPending();

  const { approval } = device;
  const tenant = await services.directory.tenants.find(approval.tenantId);
  if (!tenant) throw aadsts.invalidGrant();
  return redeemSignIn(
    request,
    {
      tenant,
      userId: approval.userId,
      client,
      scope: device.scope,
      amr: approval.amr,
      authTime: approval.authTime,
      sessionId: approval.sessionId,
    },
    async (startFamily) => {
      const redeemed = await services.signIns.deviceCodes.redeem(device, request.now, startFamily);
      if (!redeemed.consumed) throw aadsts.invalidGrant();
      return redeemed.refreshToken;
    },
  );
}

/**
 * The tenant the client is authenticated in: the one polled, or for /organizations the one the
 * person signed in to (the code is pending until then, and any tenant will do to say so).
 */
async function tenantFor(request: TokenRequest, device: StoredDeviceCode): Promise<Tenant> {
  if (request.tenant.kind === 'tenant') return request.tenant.tenant;
  const id = device.approval?.tenantId ?? device.tenantId;
  const tenant = id === null ? undefined : await request.services.directory.tenants.find(id);
  if (tenant) return tenant;
  // Still pending on /organizations: only the code's state can be told.
  if (device.status === 'declined') throw aadsts.authorizationDeclined();
  if (request.now >= device.expiresAt) throw aadsts.deviceCodeExpired();
  throw aadsts.authorizationPending();
}
