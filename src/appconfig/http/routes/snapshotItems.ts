import { dataActions } from '../../authorization.js';
import { appConfigErrors } from '../../errors.js';
import { SNAPSHOTS_SINCE } from '../apiVersions.js';
import { sendKeyValuePage } from '../keyValuePages.js';
import type { Operation } from '../operation.js';
import { PAGE_SIZE, decodeAfter, encodeAfter } from '../paging.js';

const isPosition = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * GET /kv?snapshot={name}: the snapshot's key-values as they were taken. Filters do not combine
 * with a snapshot; a snapshot that is not (or no longer) readable reads as empty, as the service.
 */
export const listSnapshotItems: Operation = {
  actions: [dataActions.snapshotsRead],
  since: SNAPSHOTS_SINCE,
  async run(context) {
    for (const filter of ['key', 'label', 'tags']) {
      if (context.query.has(filter)) {
        throw appConfigErrors.invalidArgument(
          'snapshot',
          `snapshot: '${filter}' cannot be combined with a snapshot`,
        );
      }
    }
    const name = context.query.one('snapshot') ?? '';
    const position = decodeAfter(context.query.one('after'), isPosition) ?? 0;
    const snapshot = await context.data.snapshots.get(context.store.nameLower, name);
    const readable = snapshot?.status === 'ready' || snapshot?.status === 'archived';
    const rows = readable
      ? await context.data.snapshots.items(context.store.nameLower, name, { position, limit: PAGE_SIZE + 1 })
      : [];
    return sendKeyValuePage(context, rows, () => encodeAfter(position + PAGE_SIZE));
  },
};
