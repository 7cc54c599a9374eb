import { body, serializeContext } from '../../api/responses.js';
import type { ApiRequest, ApiResponse, ApiSession } from '../../api/types.js';
import { channelWrites } from '../../entities/channels.js';
import { OperationState, checkNoOperation, liveErrors, newOperation } from '../../entities/operations.js';
import type { LongRunningSetRules } from '../../entities/operations.js';
import { programWrites } from '../../entities/programs.js';
import { rulesOf } from '../../entities/registry.js';
import type { PresentContext, RuleContext } from '../../entities/rules.js';
import { streamingEndpointWrites } from '../../entities/streamingEndpoints.js';
import { mediaErrors } from '../../errors.js';
import { guidOf } from '../../ids.js';
import { readActionParameters, readEntityBody } from '../../odata/bodyReader.js';
import type { EntityRecord } from '../../odata/edm.js';
import { entityTypeOf, functionImportOf } from '../../odata/model.js';
import type { ResourcePath } from '../../odata/resourcePath.js';
import { serializeEntity } from '../../odata/serialize/index.js';

/**
 * The live sets' writes as the service answered them: creates, updates, deletes and bound
 * actions of Channels, Programs and StreamingEndpoints are long-running calls, answered 202 with
 * an `operation-id` header (and the entity, for a create). Each runs in the caller's unit of
 * work; work left for the live pipeline wakes this process's supervisor once the unit commits
 * (another process's supervisor finds it by polling).
 */

const SETS: ReadonlyMap<string, LongRunningSetRules> = new Map(
  [channelWrites, programWrites, streamingEndpointWrites].map((rules) => [rules.set, rules]),
);

export const isLongRunningSet = (set: string): boolean => SETS.has(set);

function entityAt(ctx: RuleContext, rules: LongRunningSetRules, key: string): EntityRecord {
  if (guidOf(key, rules.kind) === undefined) throw liveErrors.invalidIdentifier(rules.set, key);
  const entity = rules.find(ctx, key);
  if (!entity) throw mediaErrors.entityNotFound(rules.set, key);
  return entity;
}

/** 202 with the operation's id; a supervisor is woken for work still in progress. */
function accepted(ctx: RuleContext, operation: EntityRecord): ApiResponse {
  if (operation.State === OperationState.InProgress) {
    const account = ctx.account.name;
    ctx.afterCommit(() => ctx.services.live?.wake(account));
  }
  return { status: 202, headers: { 'operation-id': operation.Id as string } };
}

/**
 * `POST Channels`, `MERGE|PATCH|PUT|DELETE Channels('…')` and the same of Programs and
 * StreamingEndpoints; undefined for anything else (the generic writes answer it).
 */
export function writeLongRunning(
  session: ApiSession,
  request: ApiRequest,
  ctx: RuleContext,
  present: PresentContext,
  path: ResourcePath,
): ApiResponse | undefined {
  if (path.kind !== 'collection' && path.kind !== 'entity') return undefined;
  const rules = SETS.get(path.set);
  if (!rules) return undefined;
  const method = request.method;
  const type = entityTypeOf(path.set);
  if (path.kind === 'collection') {
    if (method !== 'POST') return undefined;
    const entity = rules.create(ctx, readEntityBody(request.headers['content-type'], request.body, type));
    const id = entity.Id as string;
    const operation = newOperation(ctx, { target: id, action: `${path.set}.Create`, done: true });
    const shown = rulesOf(path.set).present?.(entity, present) ?? entity;
    const response = body(
      session,
      202,
      'entry',
      serializeEntity(session.format, type, shown, serializeContext(session)),
    );
    response.headers['operation-id'] = operation.Id as string;
    response.headers.location = session.urls.entity(path.set, id);
    return response;
  }
  const isUpdate = method === 'MERGE' || method === 'PATCH' || method === 'PUT';
  if (method !== 'DELETE' && !isUpdate) return undefined;
  const entity = entityAt(ctx, rules, path.key);
  checkNoOperation(ctx.writer, path.key);
  if (method === 'DELETE') {
    rules.remove(ctx, entity);
    return accepted(ctx, newOperation(ctx, { target: path.key, action: `${path.set}.Delete`, done: true }));
  }
  const values = readEntityBody(request.headers['content-type'], request.body, type);
  rules.save(ctx, rules.update(ctx, entity, values, method === 'PUT'));
  return accepted(ctx, newOperation(ctx, { target: path.key, action: `${path.set}.Update`, done: true }));
}

/** `POST Channels('…')/Start` and every other action bound to a live set. */
export function runLongRunningAction(
  request: ApiRequest,
  ctx: RuleContext,
  set: string,
  key: string,
  action: string,
): ApiResponse {
  const rules = SETS.get(set);
  const run = rules?.actions[action];
  if (!rules || !run) throw mediaErrors.notFound(`Resource not found for the segment '${action}'.`);
  if (request.method !== 'POST') throw mediaErrors.methodNotAllowed(request.method);
  const parameters = readActionParameters(
    request.headers['content-type'],
    request.body,
    functionImportOf(action, set)?.parameters,
  );
  const entity = entityAt(ctx, rules, key);
  checkNoOperation(ctx.writer, key);
  return accepted(ctx, run(ctx, entity, parameters));
}
