import type { Tenant } from '../../directory/model.js';
import { authenticateClient, clientAuthParameters } from '../clientAuthentication.js';
import type { TokenRequest, TokenResponse } from '../context.js';
import { aadsts } from '../errors.js';
import { signInWithPassword } from '../signIn/passwordSignIn.js';
import { issueSignInTokens } from '../tokens/userTokens.js';
import { grantUserScopes, requestedUserScopes } from '../userScopes.js';

export const grantTypes = ['password'];

export const parameters = new Set([
  ...clientAuthParameters,
  'scope',
  'resource',
  'username',
  'password',
  'client_info',
]);

/**
 * RFC 6749 §4.3, resource owner password credentials (ROPC): still offered by Entra for test
 * automation and legacy tools (`az login -u -p`). Public clients send no secret.
 */
export async function handler(request: TokenRequest): Promise<TokenResponse> {
  const username = request.params.get('username');
  if (!username) throw aadsts.missingParameter('username');
  const password = request.params.get('password');
  if (!password) throw aadsts.missingParameter('password');
  const tenant = await tenantOf(request, username);
  const client = await authenticateClient(request, tenant, 'password');
  const { requested, scope } = requestedUserScopes(request);
  const granted = await grantUserScopes(request.services, tenant, client.application, requested);
  const user = await signInWithPassword(request.services, {
    tenant,
    username,
    password,
    app: { appId: client.application.appId, displayName: client.application.displayName },
    resource: {
      appId: granted.resource.application.appId,
      displayName: granted.resource.application.displayName,
    },
    ipAddress: request.ip,
    correlationId: request.correlationId,
    flow: 'password',
    interactive: true,
    now: request.now,
  });
  return issueSignInTokens(request, {
    tenant,
    user,
    client,
    granted,
    amr: ['pwd'],
    clientInfo: request.params.get('client_info') === '1',
    scope,
    authTime: request.now,
  });
}

/**
 * `/organizations` and `/common` find the tenant from the user's domain, as Entra's home-realm
 * discovery does. A domain no tenant has is the same 50126 as a wrong password.
 */
async function tenantOf(request: TokenRequest, username: string): Promise<Tenant> {
  if (request.tenant.kind === 'tenant') return request.tenant.tenant;
  const domain = username.slice(username.lastIndexOf('@') + 1);
  const tenant = domain ? await request.services.directory.tenants.find(domain) : undefined;
  if (!tenant) throw aadsts.invalidCredentials();
  return tenant;
}
