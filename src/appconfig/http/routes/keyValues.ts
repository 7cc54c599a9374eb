import { dataActions } from '../../authorization.js';
import type { KeyValue, KeyValueInput } from '../../model.js';
import { acceptDatetime, itemLabel, nameInPath } from '../addressing.js';
import { checkWrite, isNotModified, readPreconditions } from '../conditions.js';
import { jsonObjectBody, optionalTags, optionalText } from '../jsonBody.js';
import { keyValueQuery, matchesTags } from '../keyValueFilters.js';
import type { Operation, OperationContext, OperationFor } from '../operation.js';
import { PAGE_SIZE, decodeAfter, encodeAfter } from '../paging.js';
import { keyValueHeaders, sendEmpty, sendKeyValue } from '../replies.js';
import { parseTagFilters } from '../../filters/filterSyntax.js';
import { keyValueFields, sendKeyValuePage } from '../keyValuePages.js';
import { listSnapshotItems } from './snapshotItems.js';

type KeyValueCursor = [string, string | null];
const isKeyValueCursor = (v: unknown): v is KeyValueCursor =>
  Array.isArray(v) &&
  v.length === 2 &&
  typeof v[0] === 'string' &&
  (typeof v[1] === 'string' || v[1] === null);

/**
 * The current state comes through the read cache (checked against the request's stamp), without
 * a promise when it is there: this is the hot path. A time-travelling read goes to the revisions.
 */
function readKeyValue(
  context: OperationContext,
  key: string,
  label: string | null,
  asOf?: number,
): KeyValue | null | Promise<KeyValue | null> {
  const { data, store } = context;
  if (asOf !== undefined) {
    return data.keyValues.get(store.nameLower, key, label, asOf).then((kv) => kv ?? null);
  }
  // Length-prefixed parts: no key or label can make two lookups collide.
  const cacheKey = `${store.nameLower.length}:${store.nameLower}${label === null ? '-' : `${label.length}:${label}`}${key}`;
  const cached = data.keyValueReads.peek(context.stamp, cacheKey);
  if (cached !== undefined) return cached; // null: known to be missing
  return data.keyValueReads.get(
    context.stamp,
    cacheKey,
    async () => (await data.keyValues.get(store.nameLower, key, label)) ?? null,
  );
}

const listKeyValues: Operation = {
  actions: [dataActions.keyValuesRead],
  async run(context) {
    const query = keyValueQuery(context.query);
    const after = decodeAfter(context.query.one('after'), isKeyValueCursor);
    const asOf = acceptDatetime(context.request.headers, context.reply);
    const rows = await context.data.keyValues.list(context.store.nameLower, query, {
      asOf,
      after: after && { key: after[0], label: after[1] },
      limit: PAGE_SIZE + 1,
    });
    return sendKeyValuePage(context, rows, (last) => encodeAfter([last.key, last.label]));
  },
};

export const getKeyValue: Operation = {
  actions: [dataActions.keyValuesRead],
  async run(context) {
    const key = nameInPath(context, '/kv/', 'key');
    const tags = parseTagFilters(context.query.all('tags'));
    const fields = keyValueFields(context);
    const asOf = acceptDatetime(context.request.headers, context.reply);
    const label = itemLabel(context.query);
    const read = readKeyValue(context, key, label, asOf);
    const found = read instanceof Promise ? await read : read;
    const kv = found && matchesTags(found.tags, tags) ? found : undefined;
    const preconditions = readPreconditions(context.request.headers);
    if (!kv) {
      if (preconditions.ifMatch) return sendEmpty(context, 412);
      return sendEmpty(context, 404);
    }
    if (isNotModified(preconditions, kv.etag)) return sendEmpty(context, 304, keyValueHeaders(kv));
    return sendKeyValue(context, kv, fields);
  },
};

function keyValueInput(context: OperationContext): KeyValueInput {
  const body = jsonObjectBody(context.request.body);
  return {
    key: nameInPath(context, '/kv/', 'key'),
    label: itemLabel(context.query),
    value: optionalText(body, 'value'),
    contentType: optionalText(body, 'content_type'),
    description: optionalText(body, 'description'),
    tags: optionalTags(body),
  };
}

export const putKeyValue: Operation = {
  actions: [dataActions.keyValuesWrite],
  // The service's 10 KB per key-value, as JSON: escapes grow text at most six-fold (`\u0001`).
  bodyLimit: 64 * 1024,
  async run(context) {
    const input = keyValueInput(context);
    const preconditions = readPreconditions(context.request.headers);
    const kv = await context.data.keyValues.set(context.store.nameLower, input, (existing) =>
      checkWrite(preconditions, existing?.etag),
    );
    return sendKeyValue(context, kv, keyValueFields(context));
  },
};

export const deleteKeyValue: Operation = {
  actions: [dataActions.keyValuesDelete],
  async run(context) {
    const key = nameInPath(context, '/kv/', 'key');
    const preconditions = readPreconditions(context.request.headers);
    const deleted = await context.data.keyValues.delete(
      context.store.nameLower,
      key,
      itemLabel(context.query),
      (existing) => checkWrite(preconditions, existing?.etag),
    );
    if (!deleted) return sendEmpty(context, 204);
    return sendKeyValue(context, deleted, keyValueFields(context));
  },
};

/** GET /kv lists key-values, or a snapshot's content when `snapshot=` names one. */
export const keyValuesOperation: OperationFor = (context) =>
  context.query.has('snapshot') ? listSnapshotItems : listKeyValues;
