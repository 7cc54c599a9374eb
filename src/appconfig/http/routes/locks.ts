import { dataActions } from '../../authorization.js';
import { itemLabel, nameInPath } from '../addressing.js';
import { checkWrite, readPreconditions } from '../conditions.js';
import { keyValueFields } from '../keyValuePages.js';
import type { Operation, OperationContext } from '../operation.js';
import { sendKeyValue } from '../replies.js';

/** PUT /locks/{key} makes a key-value read-only; DELETE lifts it. 404 when there is no such item. */
const lockOperation = (locked: boolean): Operation => ({
  actions: [dataActions.keyValuesWrite],
  async run(context: OperationContext) {
    const preconditions = readPreconditions(context.request.headers);
    const kv = await context.data.keyValues.setLocked(
      context.store.nameLower,
      nameInPath(context, '/locks/', 'key'),
      itemLabel(context.query),
      locked,
      (existing) => checkWrite(preconditions, existing?.etag),
    );
    return sendKeyValue(context, kv, keyValueFields(context));
  },
});

export const putLock = lockOperation(true);
export const deleteLock = lockOperation(false);
