import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessEngine } from '../../access/engine.js';
import type { PublicOrigins } from '../../server/origins.js';
import type { MediaAccount, MediaAccounts } from '../accounts.js';
import type { MediaApi } from '../api/mediaApi.js';
import type { ApiSession } from '../api/types.js';
import type { MediaAuthenticator } from '../authentication.js';
import { authorize } from '../authorization.js';
import type { MediaPermit, MediaRequestTarget } from '../authorization.js';
import { MediaError, mediaErrors, serializeMediaError } from '../errors.js';
import { dataServiceVersionHeader, negotiateFormat, requestFormat } from '../odata/format.js';
import type { ResponseFormat } from '../odata/format.js';
import { apiRemainder } from '../odata/resourcePath.js';
import { AccountUrls } from '../urls.js';
import { setRequestIds } from './requestIds.js';
import { checkVersion, responseDataServiceVersion } from './versions.js';

export interface ApiPluginServices {
  accounts: MediaAccounts;
  authenticator: MediaAuthenticator;
  access: Pick<AccessEngine, 'current'>;
  origins: PublicOrigins;
  api: MediaApi;
}

/** Entity bodies are small; a `$batch` of a job with its tasks and links stays far below this. */
export const BODY_LIMIT = 4 * 1024 * 1024;

interface MediaRequestState {
  format: ResponseFormat;
  session: ApiSession | null;
  permit: MediaPermit | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the Media Services API on its own requests. */
    media: MediaRequestState | null;
  }
}

const searchOf = (url: string): URLSearchParams => {
  const at = url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
};

/**
 * The v2 REST API under `/media/{account}/`: `api/` and every spelling of it clients send. A
 * request is refused before its body is read unless it names an account, carries a token of that
 * account's tenant for Media Services, and its caller holds the action the request needs on the
 * account (authorization.ts; 401 otherwise, as the service); then the version is checked and the API
 * answers, a `$batch` once each of its operations is allowed.
 */
export async function mediaApiPlugin(
  app: FastifyInstance,
  opts: { services: ApiPluginServices },
): Promise<void> {
  const { accounts, authenticator, access, origins, api } = opts.services;
  app.decorateRequest('media', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );

  app.addHook('onRequest', async (request, reply) => {
    setRequestIds(request, reply);
    reply.header('dataserviceversion', '3.0;');
    const query = searchOf(request.url);
    const state: MediaRequestState = {
      format: requestFormat(request.headers.accept, query.get('$format')),
      session: null,
      permit: null,
    };
    request.media = state;
    const { account: name = '' } = request.params as { account?: string };
    const account = await accounts.find(name);
    if (!account)
      throw mediaErrors.notFound(`The Media Services account '${name.slice(0, 64)}' does not exist.`);
    const origin = origins.fromHost(request.headers.host);
    const ownOrigin = ownOriginOf(request, account, origins);
    const caller = await authenticator.authenticate(
      request.headers.authorization,
      account,
      origin,
      ownOrigin,
    );
    state.permit = await authorize(access, caller, account, origin, targetOf(request));
    const version = request.headers['x-ms-version'];
    checkVersion(typeof version === 'string' ? version : undefined, query.get('api-version'));
    const maxVersion = request.headers['maxdataserviceversion'];
    const dataServiceVersion = responseDataServiceVersion(
      typeof maxVersion === 'string' ? maxVersion : undefined,
    );
    state.session = {
      account,
      urls: new AccountUrls(origin, account.name, ownOrigin),
      format: state.format,
      dataServiceVersion,
    };
    // The header names the version the body is written in: JSON Light exists only in 3.0, while
    // verbose JSON and Atom follow what the client accepts (`\/Date(ms)\/` below 3.0).
    reply.header('dataserviceversion', dataServiceVersionHeader(state.format, dataServiceVersion));
  });

  app.setErrorHandler(function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    let known: MediaError;
    if (error instanceof MediaError) known = error;
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') known = mediaErrors.bodyTooLarge(BODY_LIMIT);
    else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      known = mediaErrors.malformedBody('the request could not be read.');
    } else {
      request.log.error({ err: error }, 'media services request failed');
      known = mediaErrors.internal();
    }
    const wire = serializeMediaError(known, request.media?.format ?? negotiateFormat(request.headers.accept));
    return reply.status(wire.status).headers(wire.headers).send(wire.body);
  });

  app.route({
    // Every method the server parses (MERGE included, which the composition adds): the API answers
    // those a resource does not take (OPTIONS, TRACE, …) with its own 405, after authentication.
    method: [...app.supportedMethods],
    url: '/*',
    handler: async (request, reply) => {
      const session = request.media?.session;
      const permit = request.media?.permit;
      if (!session || !permit) throw mediaErrors.internal();
      const target = targetOf(request);
      if (target === undefined) throw mediaErrors.notFound();
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const contentType = request.headers['content-type'];
      permit.checkBody({ ...target, apiUrl: session.urls.api, contentType, body });
      const response = await api.handle(session, {
        ...target,
        query: searchOf(request.url),
        headers: request.headers as Record<string, string | undefined>,
        body,
      });
      reply.status(response.status).headers(response.headers);
      return response.body === undefined ? reply.send() : reply.send(response.body);
    },
  });
}

/** The method (`X-HTTP-Method` tunnels through POST) and the raw path below `api/`; undefined off the API. */
function targetOf(request: FastifyRequest): MediaRequestTarget | undefined {
  const { '*': rest = '' } = request.params as { '*'?: string };
  const path = apiRemainder(rawRest(request.url, rest));
  if (path === undefined) return undefined;
  const override = request.headers['x-http-method'];
  const method =
    request.method === 'POST' && typeof override === 'string' ? override.toUpperCase() : request.method;
  return { method, path };
}

/**
 * The path after the account exactly as sent: Fastify decodes `*`, but keys and an encoded
 * `api%2F` must reach the path parser still encoded.
 */
function rawRest(url: string, decodedRest: string): string {
  const path = url.split('?')[0] ?? '';
  const marker = path.indexOf('/', '/media/'.length);
  return marker < 0 ? decodedRest : path.slice(marker + 1);
}

/**
 * A request that reached the API through the account's own origin (its port) was rewritten to the
 * path-style form: its original URL does not start with `/media/`. Its URLs stay on that origin.
 */
export function ownOriginOf(
  request: FastifyRequest,
  account: Pick<MediaAccount, 'port'>,
  origins: Pick<PublicOrigins, 'onPort'>,
): string | undefined {
  if (account.port === null || request.originalUrl.startsWith('/media/')) return undefined;
  return origins.onPort(request.headers.host, account.port);
}
