import { dataActions } from '../../authorization.js';
import { acceptDatetime } from '../addressing.js';
import { keyValueQuery } from '../keyValueFilters.js';
import { sendKeyValuePage } from '../keyValuePages.js';
import type { Operation } from '../operation.js';
import { PAGE_SIZE, decodeAfter, encodeAfter } from '../paging.js';

type RevisionCursor = [string, string | null, number];
const isRevisionCursor = (v: unknown): v is RevisionCursor =>
  Array.isArray(v) &&
  v.length === 3 &&
  typeof v[0] === 'string' &&
  (typeof v[1] === 'string' || v[1] === null) &&
  Number.isSafeInteger(v[2]);

/** GET /revisions: past states of key-values, filtered like key-values (and by Accept-Datetime). */
export const listRevisions: Operation = {
  actions: [dataActions.keyValuesRead],
  async run(context) {
    const query = keyValueQuery(context.query);
    const after = decodeAfter(context.query.one('after'), isRevisionCursor);
    const asOf = acceptDatetime(context.request.headers, context.reply);
    const rows = await context.data.revisions.list(context.store.nameLower, query, {
      asOf,
      after: after && { key: after[0], label: after[1], seq: after[2] },
      limit: PAGE_SIZE + 1,
    });
    return sendKeyValuePage(context, rows, (last) => encodeAfter([last.key, last.label, last.seq]));
  },
};
