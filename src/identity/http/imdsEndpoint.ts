import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { AuthorityServices } from '../../authority/context.js';
import { AadstsError, serializeAadstsError } from '../../authority/errors.js';
import { nowSeconds } from '../../clock.js';
import { ManagedIdentityEndpointError, imdsErrors, serializeImdsError } from '../errors.js';
import type { IdentityHosts } from '../persistence/identityHosts.js';
import { imdsTokenBody, mintIdentityToken, selectIdentity } from '../tokens/identityTokens.js';
import { correlationIdOf } from './correlation.js';
import { searchParamsReader, selectorFrom } from './query.js';

export const IMDS_TOKEN_PATH = '/metadata/identity/oauth2/token';
/** The first version of the identity endpoint; later ones answer the same shape. */
const OLDEST_API_VERSION = '2018-02-01';

interface Answer {
  status: number;
  body: unknown;
}

/**
 * The Instance Metadata Service's token endpoint, as a host's IMDS listener serves it on its own
 * loopback port (which names the host). Like IMDS it refuses a request without `Metadata: true`
 * or with X-Forwarded-For (a proxied request, the SSRF guard); any other path is a 404 with no
 * `Server: IMDS` header, so msal-node's IMDSv2 probe does not take this for IMDSv2.
 */
export function imdsEndpoint(deps: {
  authority: AuthorityServices;
  hosts: IdentityHosts;
  logger: FastifyBaseLogger;
}) {
  const answer = async (request: IncomingMessage, port: number): Promise<Answer> => {
    const target = request.url ?? '/';
    if (!URL.canParse(target, 'http://127.0.0.1')) throw imdsErrors.notFound();
    const url = new URL(target, 'http://127.0.0.1');
    // msal-node canonicalises the endpoint it was given: lower case, with a trailing slash.
    if (url.pathname.toLowerCase().replace(/\/$/, '') !== IMDS_TOKEN_PATH) throw imdsErrors.notFound();
    if (request.method !== 'GET') throw imdsErrors.methodNotAllowed(request.method ?? '');
    if (request.headers['x-forwarded-for'] !== undefined) throw imdsErrors.forwardedRequest();
    if (String(request.headers.metadata).toLowerCase() !== 'true') throw imdsErrors.metadataHeaderMissing();
    const read = searchParamsReader(url.searchParams);
    const version = read('api-version');
    if (!version) throw imdsErrors.apiVersionMissing();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(version) || version < OLDEST_API_VERSION) {
      throw imdsErrors.apiVersionUnsupported();
    }
    const resource = read('resource');
    if (!resource) throw imdsErrors.resourceMissing();
    const host = await deps.hosts.findByImdsPort(port);
    // A host deleted a moment ago, whose listener has not closed yet.
    if (!host) throw imdsErrors.identityNotFound();
    const identity = selectIdentity(host, selectorFrom(read, 'imds'), 'imds');
    const origin = deps.authority.origins.defaultOrigin;
    const token = await mintIdentityToken(deps.authority, identity, resource, origin, nowSeconds());
    return { status: 200, body: imdsTokenBody(token) };
  };

  const failure = (error: unknown, correlationId: string): Answer => {
    if (error instanceof ManagedIdentityEndpointError) {
      return { status: error.status, body: serializeImdsError(error) };
    }
    if (error instanceof AadstsError && error.status < 500) {
      return {
        status: error.status,
        body: serializeAadstsError(error, { traceId: randomUUID(), correlationId, now: new Date() }),
      };
    }
    deps.logger.error({ err: error }, 'IMDS token request failed');
    return {
      status: 500,
      body: { error: 'server_error', error_description: 'An unexpected error occurred.' },
    };
  };

  return (request: IncomingMessage, response: ServerResponse, port: number): void => {
    void answer(request, port)
      .catch((error: unknown) => failure(error, correlationIdOf(request.headers)))
      .then(({ status, body }) => {
        const text = JSON.stringify(body);
        response.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          'cache-control': 'no-store',
        });
        response.end(text);
      });
  };
}
