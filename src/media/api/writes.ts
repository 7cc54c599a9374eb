import { mediaErrors } from '../errors.js';
import { addJobInput, addTask } from '../entities/jobs.js';
import { rulesOf } from '../entities/registry.js';
import type { PresentContext, RuleContext } from '../entities/rules.js';
import type { EntityRecord } from '../odata/edm.js';
import { readEntityBody, readLinkBody } from '../odata/bodyReader.js';
import { entitySets, entityTypeOf, navigationOf } from '../odata/model.js';
import type { ResourcePath } from '../odata/resourcePath.js';
import { writeLongRunning } from '../live/control/longRunningApi.js';
import { entityOf } from './presentation.js';
import { navigationRule } from './reads.js';
import { created, noContent } from './responses.js';
import type { ApiRequest, ApiResponse, ApiSession } from './types.js';

const preferNoContent = (request: ApiRequest) => /return-no-content/i.test(request.headers.prefer ?? '');

function stored(ctx: RuleContext, set: string, key: string): EntityRecord {
  const record = ctx.writer.get(set, key);
  if (record) return record;
  // A built-in entity (the reserved units row) is stored the first time it changes.
  const builtIn = rulesOf(set)
    .builtIn?.(ctx.account, ctx.writer)
    .find((e) => e.Id === key);
  if (!builtIn) throw mediaErrors.entityNotFound(set, key);
  return builtIn;
}

/** Writes to the entity model; each runs inside the caller's unit of work. */
export function write(
  session: ApiSession,
  request: ApiRequest,
  ctx: RuleContext,
  present: PresentContext,
  path: ResourcePath,
): ApiResponse | Promise<ApiResponse> {
  const method = request.method;
  const longRunning = writeLongRunning(session, request, ctx, present, path);
  if (longRunning) return longRunning;
  switch (path.kind) {
    case 'collection': {
      if (method !== 'POST') throw mediaErrors.methodNotAllowed(method);
      return create(session, request, ctx, present, path.set);
    }
    case 'entity': {
      if (method === 'DELETE') return remove(ctx, path.set, path.key);
      if (method === 'MERGE' || method === 'PATCH' || method === 'PUT') {
        return update(request, ctx, path.set, path.key, method === 'PUT');
      }
      throw mediaErrors.methodNotAllowed(method);
    }
    case 'navigation': {
      if (method !== 'POST' || path.targetKey !== undefined) throw mediaErrors.methodNotAllowed(method);
      return createRelated(session, request, ctx, present, path.set, path.key, path.navigation);
    }
    case 'links':
      return writeLink(request, ctx, path.set, path.key, path.navigation, path.targetKey);
    default:
      throw mediaErrors.methodNotAllowed(method);
  }
}

async function create(
  session: ApiSession,
  request: ApiRequest,
  ctx: RuleContext,
  present: PresentContext,
  set: string,
): Promise<ApiResponse> {
  const rules = rulesOf(set);
  if (!rules.create) throw mediaErrors.methodNotAllowed('POST');
  const type = entityTypeOf(set);
  const body = readEntityBody(request.headers['content-type'], request.body, type);
  const record = await rules.create(ctx, body);
  const shown = rules.present ? rules.present(record, present) : record;
  return created(session, type, shown, preferNoContent(request));
}

/** `POST Jobs('…')/Tasks`, as the .NET SDK adds a job's tasks inside its change set. */
function createRelated(
  session: ApiSession,
  request: ApiRequest,
  ctx: RuleContext,
  present: PresentContext,
  set: string,
  key: string,
  navigation: string,
): ApiResponse {
  if (set !== 'Jobs' || navigation !== 'Tasks') throw mediaErrors.methodNotAllowed('POST');
  const job = stored(ctx, set, key);
  const type = entityTypeOf('Tasks');
  const body = readEntityBody(request.headers['content-type'], request.body, type);
  const task = addTask(ctx, job, body.values);
  return created(
    session,
    type,
    entityOf(ctx.writer, 'Tasks', task.Id as string, present) ?? task,
    preferNoContent(request),
  );
}

function update(
  request: ApiRequest,
  ctx: RuleContext,
  set: string,
  key: string,
  replace: boolean,
): ApiResponse {
  const rules = rulesOf(set);
  if (!rules.update) throw mediaErrors.methodNotAllowed(request.method);
  const existing = stored(ctx, set, key);
  const body = readEntityBody(request.headers['content-type'], request.body, entityTypeOf(set));
  const next = rules.update(ctx, existing, body, replace);
  if (ctx.writer.get(set, key)) ctx.writer.update(set, next);
  else ctx.writer.insert(set, next);
  return noContent();
}

async function remove(ctx: RuleContext, set: string, key: string): Promise<ApiResponse> {
  const rules = rulesOf(set);
  if (!rules.remove) throw mediaErrors.methodNotAllowed('DELETE');
  const existing = ctx.writer.get(set, key);
  if (!existing) throw mediaErrors.entityNotFound(set, key);
  await rules.remove(ctx, existing);
  return noContent();
}

/** `$links`: POST adds to a collection, PUT sets a single-valued one, DELETE removes one. */
function writeLink(
  request: ApiRequest,
  ctx: RuleContext,
  set: string,
  key: string,
  navigation: string,
  targetKey: string | undefined,
): ApiResponse {
  const type = entityTypeOf(set);
  const nav = navigationOf(type, navigation);
  if (!nav) throw mediaErrors.notFound(`Resource not found for the segment '${navigation}'.`);
  const rule = navigationRule(set, navigation);
  const source = stored(ctx, set, key);
  if (rule.kind !== 'link' || !rule.writable) {
    throw mediaErrors.badRequest(`The link '${navigation}' of ${set} cannot be changed.`);
  }
  if (request.method === 'DELETE') {
    if (targetKey === undefined)
      throw mediaErrors.badRequest('Name the linked entity to remove: $links/Nav(key).');
    const link = ctx.writer.targets(set, key, navigation).find((l) => l.targetId === targetKey);
    if (!link) throw mediaErrors.notFound(`The entity '${targetKey}' is not linked through ${navigation}.`);
    ctx.writer.unlink(link);
    return noContent();
  }
  if (request.method !== 'POST' && request.method !== 'PUT')
    throw mediaErrors.methodNotAllowed(request.method);
  const target = ctx.bind(readLinkBody(request.headers['content-type'], request.body));
  if (target.set !== nav.target)
    throw mediaErrors.badRequest(`The link must name an entity of ${nav.target}.`);
  if (!entitySets.has(target.set) || !stored(ctx, target.set, target.key))
    throw mediaErrors.entityNotFound(target.set, target.key);
  if (set === 'Jobs' && navigation === 'InputMediaAssets') {
    addJobInput(ctx, source, target.key);
    return noContent();
  }
  if (set === 'Assets' && navigation === 'ParentAssets' && target.key === key) {
    throw mediaErrors.badRequest('An asset cannot be its own parent.');
  }
  ctx.writer.link({ sourceSet: set, sourceId: key, navigation, targetSet: target.set, targetId: target.key });
  return noContent();
}
