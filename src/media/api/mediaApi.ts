import { MediaError, mediaErrors, serializeMediaError } from '../errors.js';
import type { PresentContext, RuleServices, SasGrantInput } from '../entities/rules.js';
import { parseBatch, resolveContentIdReference, serializeBatch } from '../odata/batch.js';
import type { BatchRequestPart, BatchResponsePart, BatchResult } from '../odata/batch.js';
import { dataServiceVersionHeader, requestFormat, responseDataServiceVersion } from '../odata/format.js';
import { metadataDocument } from '../odata/metadataDocument.js';
import { parseResourcePath } from '../odata/resourcePath.js';
import { SERVICE_DOCUMENT_ATOM_CONTENT_TYPE, serviceDocument } from '../odata/serviceDocument.js';
import type { MediaEntities } from '../persistence/mediaEntities.js';
import { readActionParameters } from '../odata/bodyReader.js';
import { functionImportOf } from '../odata/model.js';
import { isLongRunningSet, runLongRunningAction } from '../live/control/longRunningApi.js';
import { getKeyDeliveryUrl } from '../protection/operations.js';
import { callFunction, stringResult, unavailable } from './functions.js';
import { PATH_MODEL } from './pathModel.js';
import { read } from './reads.js';
import { body } from './responses.js';
import type { ApiRequest, ApiResponse, ApiSession } from './types.js';
import { UnitOfWork } from './unitOfWork.js';
import { write } from './writes.js';

export interface MediaApiServices {
  entities: MediaEntities;
  rules: RuleServices;
  sas(session: ApiSession, grant: SasGrantInput): string;
  /** Failures after a commit (a container that could not be removed): logged, never answered. */
  report(error: unknown): void;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * The v2 REST API over one account, independent of HTTP: a request in, a response out. Reads are
 * answered from the account's committed view; every write runs as one unit of work (one
 * transaction), and a `$batch` change set runs all its parts in one.
 */
export class MediaApi {
  constructor(private readonly services: MediaApiServices) {}

  async handle(session: ApiSession, request: ApiRequest): Promise<ApiResponse> {
    const path = parseResourcePath(request.path, PATH_MODEL);
    switch (path.kind) {
      case 'serviceDocument':
        if (!READ_METHODS.has(request.method)) throw mediaErrors.methodNotAllowed(request.method);
        return {
          status: 200,
          headers: {
            'content-type':
              session.format === 'atom'
                ? SERVICE_DOCUMENT_ATOM_CONTENT_TYPE
                : (body(session, 200, 'value', '').headers['content-type'] ?? ''),
          },
          body: serviceDocument(session.format, session.urls.api),
        };
      case 'metadata':
        if (!READ_METHODS.has(request.method)) throw mediaErrors.methodNotAllowed(request.method);
        return {
          status: 200,
          headers: { 'content-type': 'application/xml;charset=utf-8' },
          body: metadataDocument(),
        };
      case 'batch':
        if (request.method !== 'POST') throw mediaErrors.methodNotAllowed(request.method);
        return this.batch(session, request);
      case 'function':
        return this.inUnit(session, false, (unit) => callFunction(session, request, unit.ctx, path.name));
      case 'action':
        return this.action(session, request, path.set, path.key, path.action);
      default:
        if (READ_METHODS.has(request.method)) {
          const view = await this.services.entities.view(session.account.name);
          return read(session, request, view, path, this.presentContext(session));
        }
        return this.inUnit(session, false, (unit) =>
          write(session, request, unit.ctx, this.presentContext(session), path),
        );
    }
  }

  /** Actions bound to an entity: `POST ContentKeys('…')/GetKeyDeliveryUrl`. */
  private async action(session: ApiSession, request: ApiRequest, set: string, key: string, action: string) {
    if (isLongRunningSet(set)) {
      return this.inUnit(session, false, (unit) => runLongRunningAction(request, unit.ctx, set, key, action));
    }
    if (set !== 'ContentKeys' || action !== 'GetKeyDeliveryUrl') throw unavailable(action);
    if (request.method !== 'POST') throw mediaErrors.methodNotAllowed(request.method);
    const parameters = readActionParameters(
      request.headers['content-type'],
      request.body,
      functionImportOf(action, set)?.parameters,
    );
    const view = await this.services.entities.view(session.account.name);
    return stringResult(session, action, getKeyDeliveryUrl(view, session.urls, key, parameters));
  }

  private presentContext(session: ApiSession): PresentContext {
    return {
      urls: session.urls,
      account: session.account,
      sas: (grant) => this.services.sas(session, grant),
    };
  }

  private async inUnit(
    session: ApiSession,
    inChangeSet: boolean,
    work: (unit: UnitOfWork) => Promise<ApiResponse> | ApiResponse,
  ): Promise<ApiResponse> {
    let unit: UnitOfWork | undefined;
    const response = await this.services.entities.write(session.account.name, async (writer) => {
      unit = new UnitOfWork(session, writer, this.services.rules, inChangeSet);
      const answer = await work(unit);
      await unit.complete();
      return answer;
    });
    await unit?.committed((error) => this.services.report(error));
    return response;
  }

  /**
   * `$batch`: queries answered one by one; each change set in one unit of work, its parts in
   * order, `$n` naming what part n created. A failing part fails its change set alone, answered
   * with that part's error. Every operation is answered in the dialect its own `Accept` (and
   * `MaxDataServiceVersion`) asks for: the .NET SDK posts the batch with `Accept: multipart/mixed`
   * and reads each operation's answer as Atom.
   */
  private async batch(session: ApiSession, request: ApiRequest): Promise<ApiResponse> {
    const items = parseBatch(request.headers['content-type'], request.body);
    const report = (error: unknown) => this.services.report(error);
    const results: BatchResult[] = [];
    for (const item of items) {
      if (item.kind === 'query') {
        let answering = session;
        try {
          const query = toApiRequest(session, item.request);
          answering = operationSession(session, query);
          if (!READ_METHODS.has(query.method))
            throw mediaErrors.badRequest('Only queries may stand outside a change set.');
          const response = await this.handle(answering, query);
          results.push({ kind: 'query', response: toPart(answering, response, item.request.contentId) });
        } catch (error) {
          results.push({ kind: 'query', response: errorPart(answering, error, report) });
        }
        continue;
      }
      const failure = { session };
      try {
        const responses = await this.changeSet(session, item.requests, failure);
        results.push({ kind: 'changeset', responses });
      } catch (error) {
        results.push({ kind: 'changeset', responses: [errorPart(failure.session, error, report)] });
      }
    }
    const written = serializeBatch(results);
    return { status: 202, headers: { 'content-type': written.contentType }, body: written.body };
  }

  /** `failure.session` is left at the operation being run, so a failure is answered in its dialect. */
  private async changeSet(
    session: ApiSession,
    parts: readonly BatchRequestPart[],
    failure: { session: ApiSession },
  ): Promise<BatchResponsePart[]> {
    const locations = new Map<string, string>();
    const responses: BatchResponsePart[] = [];
    let unit: UnitOfWork | undefined;
    await this.services.entities.write(session.account.name, async (writer) => {
      unit = new UnitOfWork(session, writer, this.services.rules, true);
      for (const part of parts) {
        const resolved = resolveContentIdReference(part.url, locations);
        const request = toApiRequest(session, { ...part, url: resolved });
        const operation = operationSession(session, request);
        failure.session = operation;
        const path = parseResourcePath(request.path, PATH_MODEL);
        const response =
          path.kind === 'function'
            ? await callFunction(operation, request, unit.ctx, path.name)
            : await write(operation, request, unit.ctx, this.presentContext(operation), path);
        if (part.contentId !== undefined && response.headers.location) {
          locations.set(part.contentId, response.headers.location);
        }
        responses.push(toPart(operation, response, part.contentId));
      }
      await unit.complete();
    });
    await unit?.committed((error) => this.services.report(error));
    return responses;
  }
}

/**
 * The session one `$batch` operation is answered in: its own `Accept` (or `$format`) and
 * `MaxDataServiceVersion` when it names them, else the batch request's.
 */
function operationSession(session: ApiSession, request: ApiRequest): ApiSession {
  const accept = request.headers['accept'];
  const formatOption = request.query.get('$format');
  const max = request.headers['maxdataserviceversion'];
  return {
    ...session,
    format: accept !== undefined || formatOption ? requestFormat(accept, formatOption) : session.format,
    dataServiceVersion: max !== undefined ? responseDataServiceVersion(max) : session.dataServiceVersion,
  };
}

/** A part's URL (absolute, root-relative or relative to the API) as a request of the API. */
function toApiRequest(session: ApiSession, part: BatchRequestPart): ApiRequest {
  const base = new URL(session.urls.api);
  let url: URL;
  try {
    url = new URL(part.url, base);
  } catch {
    throw mediaErrors.badRequest(`The batch part's URL '${part.url}' is not valid.`);
  }
  const rawPath = url.pathname;
  const apiPath = base.pathname;
  if (!rawPath.startsWith(apiPath))
    throw mediaErrors.badRequest(`The batch part's URL '${part.url}' is not below ${session.urls.api}.`);
  const method = (part.headers['x-http-method'] ?? part.method).toUpperCase();
  return {
    method,
    path: rawPath.slice(apiPath.length) + url.search,
    query: url.searchParams,
    headers: part.headers,
    body: part.body,
  };
}

function toPart(
  session: ApiSession,
  response: ApiResponse,
  contentId: string | undefined,
): BatchResponsePart {
  return {
    status: response.status,
    headers: {
      dataserviceversion: dataServiceVersionHeader(session.format, session.dataServiceVersion),
      ...response.headers,
    },
    body: response.body ?? '',
    ...(contentId !== undefined ? { contentId } : {}),
  };
}

function errorPart(session: ApiSession, error: unknown, report: (error: unknown) => void): BatchResponsePart {
  const known = error instanceof MediaError ? error : mediaErrors.internal();
  if (!(error instanceof MediaError)) report(error);
  const wire = serializeMediaError(known, session.format);
  return { status: wire.status, headers: wire.headers, body: wire.body };
}
