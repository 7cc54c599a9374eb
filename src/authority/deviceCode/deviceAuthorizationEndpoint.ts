import type { FastifyReply, FastifyRequest } from 'fastify';
import { nowSeconds } from '../../clock.js';
import { findClient } from '../clientAuthentication.js';
import type { AuthorityServices } from '../context.js';
import { aadsts } from '../errors.js';
import type { TokenVersion } from '../issuers.js';
import { readTenantForm } from '../tenants.js';
import { grantUserScopes, requestedUserScopes } from '../userScopes.js';
import { DEVICE_CODE_LIFETIME_SECONDS, POLL_INTERVAL_SECONDS } from './deviceCodes.js';

/**
 * `POST /{tenant}/oauth2[/v2.0]/devicecode` (RFC 8628 §3.1–3.2). MSAL derives this URL from the
 * token endpoint. The verification URI is tenant-less, like Entra's microsoft.com/devicelogin:
 * the code itself names its tenant. v1 answers in ADAL's shape (`verification_url`, strings).
 */
export function deviceAuthorizationEndpoint(services: AuthorityServices, endpoint: TokenVersion) {
  return async (
    request: FastifyRequest<{ Params: { tenant: string }; Body: string }>,
    reply: FastifyReply,
  ) => {
    const { params, tenant } = await readTenantForm(services.directory, request);
    const clientId = params.get('client_id');
    if (!clientId) throw aadsts.missingParameter('client_id');
    const { requested, scope } = requestedUserScopes({ endpoint, params });
    if (tenant.kind === 'tenant') {
      // Fail now rather than after the person has typed the code: unknown app, bad scope.
      const { application } = await findClient(services, tenant.tenant, clientId);
      await grantUserScopes(services, tenant.tenant, application, requested);
    } else if (!(await services.directory.applications.findByAppId(clientId))) {
      throw aadsts.applicationNotFound(clientId, tenant.segment);
    }
    const issued = await services.signIns.deviceCodes.create({
      tenantId: tenant.kind === 'tenant' ? tenant.tenant.id : null,
      tenantSegment: tenant.segment,
      clientId: clientId.toLowerCase(),
      scope,
      now: nowSeconds(),
    });
    const verificationUri = `${services.origins.fromHost(request.headers.host)}/devicelogin`;
    const message = `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${issued.userCode} to authenticate.`;
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (endpoint === 1) {
      return {
        user_code: issued.userCode,
        device_code: issued.deviceCode,
        verification_url: verificationUri,
        expires_in: String(DEVICE_CODE_LIFETIME_SECONDS),
        interval: String(POLL_INTERVAL_SECONDS),
        message,
      };
    }
    return {
      user_code: issued.userCode,
      device_code: issued.deviceCode,
      verification_uri: verificationUri,
      expires_in: DEVICE_CODE_LIFETIME_SECONDS,
      interval: POLL_INTERVAL_SECONDS,
      message,
    };
  };
}
