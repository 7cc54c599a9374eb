import { MediaError } from '../errors.js';
import { guidOf, newId } from '../ids.js';
import type { EntityBody } from '../odata/bodyReader.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import type { AccountWriter } from '../persistence/mediaEntities.js';
import type { EntitySetRules, RuleContext } from './rules.js';

/**
 * Operations: how the live half of the API (Channels, Programs, StreamingEndpoints) reports the
 * work it answered 202 to. One stored row per operation; the client reads `Id`, `State`,
 * `TargetEntityId`, `ErrorCode` and `ErrorMessage`. What the live supervisor needs to carry the
 * work out is kept in hidden fields: the action, its parameters, when it was created, when a
 * supervisor took it up (`_claimed`: an operation claimed by a process that is gone was
 * interrupted) and when it ended.
 */

export const OperationState = {
  InProgress: 'InProgress',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
} as const;

/** The reference's operation error codes, the ones an operation can end with. */
export type OperationErrorCode =
  | 'BadRequest'
  | 'InsufficientCapacity'
  | 'InternalError'
  | 'InvalidOperation'
  | 'ResourceNotFound'
  | 'Timeout';

export interface OperationError {
  code: OperationErrorCode;
  message: string;
}

/** Ended operations are kept this long for clients that poll late, then pruned. */
const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** At most this many old operations go per new one, so a unit of work stays small. */
const PRUNE_BATCH = 50;

const quote = (value: string) => `'${value}'`;

/**
 * The live API's refusals, with the codes the service used: requests that can never succeed are
 * 400, requests the entity's state forbids now are 409, quotas are 403 as elsewhere in v2.
 */
export const liveErrors = {
  invalidIdentifier: (set: string, key: string) =>
    new MediaError(
      400,
      'InvalidIdentifierFormat',
      `${quote(key.slice(0, 100))} is not an identifier of ${set} (nb:<kind>:UUID:<guid>).`,
    ),
  invalidResourceName: (what: string, name: string, rule: string) =>
    new MediaError(
      400,
      'InvalidResourceName',
      `The ${what} name ${quote(name.slice(0, 100))} is invalid: ${rule}`,
    ),
  nameTaken: (what: string, name: string, where: string) =>
    new MediaError(409, 'ResourceNameTaken', `A ${what} named ${quote(name)} already exists in ${where}.`),
  invalidOperation: (message: string) => new MediaError(409, 'InvalidOperation', message),
  operationInProgress: (entityId: string, operationId: string) =>
    new MediaError(
      409,
      'OperationInProgress',
      `The operation ${quote(operationId)} on ${quote(entityId)} is in progress; try again once it has ended.`,
    ),
  operationNotFound: (id: string) =>
    new MediaError(404, 'OperationNotFound', `The operation ${quote(id)} was not found.`),
  quotaExceeded: (message: string) => new MediaError(403, 'ExceededResourceQuota', message),
  deleteDefaultOrigin: () =>
    new MediaError(
      400,
      'DeleteNotAllowedOnDefaultOrigin',
      "The account's default streaming endpoint cannot be deleted.",
    ),
} as const;

/** `GET Operations('…')` of nothing: a malformed id, or one this account never had. */
export const missingOperation = (id: string): MediaError =>
  guidOf(id, 'opid') === undefined
    ? liveErrors.invalidIdentifier('Operations', id)
    : liveErrors.operationNotFound(id);

export interface OperationInput {
  /** The entity the operation acts on (its Id). */
  target: string;
  /** `<Set>.<Action>`: `Channels.Start`, `Programs.Create`, `StreamingEndpoints.Scale`. */
  action: string;
  parameters?: Readonly<Record<string, unknown>>;
  /** Nothing is left to do once the unit commits: the operation is Succeeded at once. */
  done?: boolean;
  /** The entity's state before the operation, where the operation ends by going back to it (Scale). */
  stateBefore?: string;
}

type OperationContext = Pick<RuleContext, 'writer' | 'now'>;

/** Records an operation in the unit of work; returns its record. */
export function newOperation(ctx: OperationContext, input: OperationInput): EntityRecord {
  prune(ctx.writer, ctx.now);
  const operation: EntityRecord = {
    Id: newId('opid'),
    State: input.done ? OperationState.Succeeded : OperationState.InProgress,
    TargetEntityId: input.target,
    ErrorCode: null,
    ErrorMessage: null,
    _action: input.action,
    _parameters: input.parameters ?? {},
    _stateBefore: input.stateBefore ?? null,
    _created: ctx.now,
    _claimed: null,
    _ended: input.done ? ctx.now : null,
  };
  ctx.writer.insert('Operations', operation);
  return operation;
}

function prune(writer: AccountWriter, now: number): void {
  let removed = 0;
  for (const operation of writer.list('Operations')) {
    if (removed >= PRUNE_BATCH) return;
    const ended = operation._ended;
    if (typeof ended === 'number' && now - ended > RETENTION_MS) {
      writer.remove('Operations', operation.Id as string);
      removed += 1;
    }
  }
}

/** The operation in progress on an entity, if any. */
export const operationOn = (view: AccountView, entityId: string): EntityRecord | undefined =>
  view.list('Operations').find((o) => o.TargetEntityId === entityId && o.State === OperationState.InProgress);

/** Refuses a second long-running request on an entity while one is in progress. */
export function checkNoOperation(view: AccountView, entityId: string): void {
  const running = operationOn(view, entityId);
  if (running) throw liveErrors.operationInProgress(entityId, running.Id as string);
}

/** Ends an operation: Succeeded, or Failed with the error's code and message. */
export function endOperation(
  writer: AccountWriter,
  operation: EntityRecord,
  now: number,
  error?: OperationError,
): void {
  writer.update('Operations', {
    ...operation,
    State: error ? OperationState.Failed : OperationState.Succeeded,
    ErrorCode: error?.code ?? null,
    ErrorMessage: error?.message ?? null,
    _ended: now,
  });
}

/** The set an operation's action belongs to (`Channels` of `Channels.Start`). */
export const setOfAction = (action: string): string => action.slice(0, action.indexOf('.'));

/** Operations are read-only: only the service creates them, and only it ends them. */
export const operations: EntitySetRules = { set: 'Operations' };

/**
 * One live entity set's writes. Every one of them is answered 202 with the operation it
 * recorded: creates, updates and deletes end at once (nothing is left for a pipeline to do);
 * actions that move the entity through a transition stay InProgress until the live supervisor
 * has done the work.
 */
export interface LongRunningSetRules {
  readonly set: string;
  /** The `nb:<kind>:` of the set's ids. */
  readonly kind: string;
  create(ctx: RuleContext, body: EntityBody): EntityRecord;
  update(ctx: RuleContext, existing: EntityRecord, body: EntityBody, replace: boolean): EntityRecord;
  remove(ctx: RuleContext, existing: EntityRecord): void;
  /** The entity at a key, built-in ones included (the default streaming endpoint). */
  find(ctx: RuleContext, id: string): EntityRecord | undefined;
  /** Stores a changed entity (a built-in one is stored the first time it changes). */
  save(ctx: RuleContext, entity: EntityRecord): void;
  /** Bound actions: each checks the entity's state, moves it on and returns the operation it recorded. */
  readonly actions: Readonly<Record<string, LongRunningAction>>;
}

export type LongRunningAction = (
  ctx: RuleContext,
  entity: EntityRecord,
  parameters: Readonly<Record<string, unknown>>,
) => EntityRecord;
