import type { FastifyReply, FastifyRequest } from 'fastify';
import { nowSeconds } from '../clock.js';
import type { AuthorityServices } from './context.js';
import { crossOriginOf } from './crossOrigin.js';
import { aadsts } from './errors.js';
import { findGrant } from './grants/index.js';
import type { TokenVersion } from './issuers.js';
import { readTenantForm } from './tenants.js';

/** Form fields MSAL and @azure/identity add to every request; accepted and ignored. */
const IGNORED = new Set([
  'grant_type',
  'claims',
  'response_type',
  'client-request-id',
  'x-client-SKU',
  'x-client-VER',
  'x-client-OS',
  'x-client-CPU',
  'x-ms-lib-capability',
  'x-client-current-telemetry',
  'x-client-last-telemetry',
  'x-app-name',
  'x-app-ver',
  'x-client-brkrver',
]);

export function tokenEndpoint(services: AuthorityServices, endpoint: TokenVersion) {
  return async (
    request: FastifyRequest<{ Params: { tenant: string }; Body: string }>,
    reply: FastifyReply,
  ) => {
    const { params, tenant } = await readTenantForm(services.directory, request);
    const grantType = params.get('grant_type');
    if (!grantType) throw aadsts.missingParameter('grant_type');
    const grant = findGrant(grantType);
    if (!grant) throw aadsts.unsupportedGrantType(grantType);
    // Only what a single-page application redeems may come from a page on another origin: a
    // secret, a password or a device code never belongs in a browser.
    const crossOrigin = crossOriginOf(request, services.origins);
    if (crossOrigin !== undefined && grant.crossOriginRedemption !== true)
      throw aadsts.crossOriginNotSpa(crossOrigin);
    // Like node-oidc-provider: a grant sees only the parameters it declared.
    const allowed = new Map<string, string>();
    for (const [name, value] of params)
      if (grant.parameters.has(name) && !IGNORED.has(name)) allowed.set(name, value);
    const body = await grant.handler({
      services,
      tenant,
      params: allowed,
      endpoint,
      origin: services.origins.fromHost(request.headers.host),
      authorization: request.headers.authorization,
      ...(crossOrigin !== undefined && { crossOrigin }),
      ip: request.ip,
      correlationId: (request as FastifyRequest & { correlationId?: string }).correlationId ?? request.id,
      now: nowSeconds(),
    });
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return body;
  };
}
