import { authenticateConfidentialClient, clientAuthParameters } from '../clientAuthentication.js';
import type { TokenRequest, TokenResponse } from '../context.js';
import { aadsts } from '../errors.js';
import { grantedAppRoles, resolveTargetResource, resourceOfDefaultScope } from '../resources.js';
import { mintAccessToken } from '../tokens/accessToken.js';
import { tokenResponse } from '../tokens/response.js';

export const grantTypes = ['client_credentials'];

export const parameters = new Set([...clientAuthParameters, 'scope', 'resource']);

/** RFC 6749 §4.4: an app-only token for the client's own service principal. */
export async function handler(request: TokenRequest): Promise<TokenResponse> {
  const { services } = request;
  if (request.tenant.kind !== 'tenant') throw aadsts.noTenantIdentifyingInformation();
  const tenant = request.tenant.tenant;
  const client = await authenticateConfidentialClient(request, tenant, 'client_credentials');
  const requested = requestedResource(request);
  const resource = await resolveTargetResource(services, tenant, requested);
  const roles = await grantedAppRoles(services, client.servicePrincipal.objectId, resource);
  const issued = await mintAccessToken(
    {
      version: resource.version,
      origin: request.origin,
      tenantId: tenant.id,
      audience: resource.audience,
      clientAppId: client.application.appId,
      clientAuth: client.method,
      subject: { kind: 'app', objectId: client.servicePrincipal.objectId },
      roles,
      now: request.now,
    },
    await services.keys.current(),
  );
  return tokenResponse(request.endpoint, issued, resource.requested);
}

/** v1 names the resource directly; v2 derives it from `<resource>/.default`. */
function requestedResource(request: TokenRequest): string {
  if (request.endpoint === 1) {
    const resource = request.params.get('resource');
    if (resource) return resource;
    const scope = request.params.get('scope');
    if (scope) return resourceOfDefaultScope(scope);
    throw aadsts.missingParameter('resource');
  }
  if (request.params.has('resource')) throw aadsts.resourceParameterNotSupported();
  const scope = request.params.get('scope');
  if (!scope) throw aadsts.missingParameter('scope');
  return resourceOfDefaultScope(scope);
}
