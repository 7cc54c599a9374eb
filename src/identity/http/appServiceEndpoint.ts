import type { FastifyRequest } from 'fastify';
import type { AuthorityServices } from '../../authority/context.js';
import { nowSeconds } from '../../clock.js';
import { appServiceErrors } from '../errors.js';
import type { IdentityHosts } from '../persistence/identityHosts.js';
import { appServiceTokenBody, mintIdentityToken, selectIdentity } from '../tokens/identityTokens.js';
import { parsedQueryReader, selectorFrom } from './query.js';

export const APP_SERVICE_PATH = '/msi/token';
const API_VERSION = '2019-08-01';

/**
 * `GET /msi/token` — App Service's managed identity protocol (IDENTITY_ENDPOINT + IDENTITY_HEADER):
 * the secret names the host, the query the resource and, optionally, a user-assigned identity.
 * The secret is checked first, so nothing is revealed to a caller without it.
 */
export function appServiceEndpoint(deps: { authority: AuthorityServices; hosts: IdentityHosts }) {
  return async (request: FastifyRequest) => {
    const secret = request.headers['x-identity-header'];
    if (typeof secret !== 'string' || secret === '') throw appServiceErrors.secretHeaderMissing();
    const host = await deps.hosts.findBySecret(secret);
    if (!host) throw appServiceErrors.secretHeaderInvalid();
    const read = parsedQueryReader(request.query);
    const version = read('api-version');
    if (!version) throw appServiceErrors.apiVersionMissing();
    if (version !== API_VERSION) throw appServiceErrors.apiVersionUnsupported(version);
    const resource = read('resource');
    if (!resource) throw appServiceErrors.resourceMissing();
    const identity = selectIdentity(host, selectorFrom(read, 'appService'), 'appService');
    const origin = deps.authority.origins.fromHost(request.headers.host);
    const token = await mintIdentityToken(deps.authority, identity, resource, origin, nowSeconds());
    return appServiceTokenBody(token);
  };
}
