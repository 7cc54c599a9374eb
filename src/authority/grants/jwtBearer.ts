import { authenticateConfidentialClient, clientAuthParameters } from '../clientAuthentication.js';
import type { TokenRequest, TokenResponse } from '../context.js';
import { aadsts } from '../errors.js';
import type { AadstsError } from '../errors.js';
import type { SignInEvent } from '../signIn/signInLog.js';
import { issueSignInTokens } from '../tokens/userTokens.js';
import { verifyUserAssertion } from '../userAssertion.js';
import { grantUserScopes, requestedUserScopes } from '../userScopes.js';
import type { GrantedUserScopes } from '../userScopes.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export const grantTypes = [JWT_BEARER];

export const parameters = new Set([
  ...clientAuthParameters,
  'assertion',
  'requested_token_use',
  'scope',
  'resource',
  'client_info',
]);

/**
 * On-behalf-of (Entra's use of RFC 7523's JWT bearer grant): a confidential client trades the
 * user's access token it was called with for a token of the same user to another resource, with
 * the delegated permissions that resource grants (`scp`), and a refresh token when
 * `offline_access` is asked (always on v1), as Entra does.
 */
export async function handler(request: TokenRequest): Promise<TokenResponse> {
  if (request.tenant.kind !== 'tenant') throw aadsts.noTenantIdentifyingInformation();
  const tenant = request.tenant.tenant;
  const use = request.params.get('requested_token_use');
  if (!use) throw aadsts.missingParameter('requested_token_use');
  if (use !== 'on_behalf_of') {
    throw aadsts.invalidParameter('requested_token_use', "The only supported value is 'on_behalf_of'.");
  }
  const assertion = request.params.get('assertion');
  if (!assertion) throw aadsts.missingParameter('assertion');
  const client = await authenticateConfidentialClient(request, tenant, JWT_BEARER);
  const claims = await verifyUserAssertion(request.services, tenant, client.application, assertion);
  const user = claims.oid
    ? await request.services.directory.users.findById(tenant.id, claims.oid)
    : undefined;
  if (!user) throw aadsts.oboAssertionInvalid('The user of the assertion does not exist in this tenant.');
  // The sign-in log records the exchange as Entra does (a non-interactive sign-in of the user to
  // the middle tier's downstream resource), refusals for a known user included.
  const event = (error: AadstsError | undefined, granted?: GrantedUserScopes): SignInEvent => ({
    tenantId: tenant.id,
    userId: user.objectId,
    userPrincipalName: user.userPrincipalName,
    userDisplayName: user.displayName,
    app: { appId: client.application.appId, displayName: client.application.displayName },
    resource: granted
      ? { appId: granted.resource.application.appId, displayName: granted.resource.application.displayName }
      : null,
    ipAddress: request.ip,
    correlationId: request.correlationId,
    flow: 'on_behalf_of',
    interactive: false,
    errorCode: error?.code ?? 0,
    failureReason: error?.description ?? null,
  });
  if (!user.accountEnabled) {
    const disabled = aadsts.accountDisabled();
    await request.services.signIns.log.record(event(disabled));
    throw disabled;
  }
  const { requested, scope } = requestedUserScopes(request);
  const granted = await grantUserScopes(request.services, tenant, client.application, requested);
  const amr =
    Array.isArray(claims.amr) && claims.amr.every((m) => typeof m === 'string') ? claims.amr : ['pwd'];
  await request.services.signIns.log.record(event(undefined, granted));
  return issueSignInTokens(request, {
    tenant,
    user,
    client,
    granted,
    amr,
    clientInfo: request.params.get('client_info') === '1',
    scope,
    authTime: typeof claims.iat === 'number' ? claims.iat : request.now,
  });
}
