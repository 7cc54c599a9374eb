import { dataActions } from '../../authorization.js';
import { appConfigErrors } from '../../errors.js';
import { parseStringFilter } from '../../filters/filterSyntax.js';
import type { Snapshot, SnapshotStatus } from '../../model.js';
import { snapshotStatuses } from '../../model.js';
import { endpointOf, nameInPath } from '../addressing.js';
import { SNAPSHOTS_SINCE } from '../apiVersions.js';
import { checkWrite, isNotModified, readPreconditions } from '../conditions.js';
import type { Operation, OperationContext } from '../operation.js';
import { PAGE_SIZE, decodeAfter, encodeAfter } from '../paging.js';
import { quoted, sendEmpty, sendJson, sendPage } from '../replies.js';
import { selectedFields } from '../select.js';
import { snapshotSpec, targetStatus } from '../snapshotBody.js';
import {
  SNAPSHOT_CONTENT_TYPE,
  SNAPSHOT_FIELDS,
  SNAPSHOT_SET_CONTENT_TYPE,
  snapshotJson,
} from '../snapshotJson.js';

const fieldsOf = (context: OperationContext) =>
  selectedFields(context.query, SNAPSHOT_FIELDS, SNAPSHOT_FIELDS);
const snapshotName = (context: OperationContext) => nameInPath(context, '/snapshots/', 'name');
const isString = (v: unknown): v is string => typeof v === 'string';

function sendSnapshot(
  context: OperationContext,
  snapshot: Snapshot,
  status = 200,
  headers: Record<string, string> = {},
) {
  return sendJson(context, status, SNAPSHOT_CONTENT_TYPE, snapshotJson(snapshot, fieldsOf(context)), {
    ...headers,
    etag: quoted(snapshot.etag),
  });
}

/** `status=ready,archived` (comma-separated, or repeated). */
function statusFilter(context: OperationContext): SnapshotStatus[] {
  const values = context.query.all('status').flatMap((v) => v.split(','));
  return values.map((value) => {
    const status = snapshotStatuses.find((s) => s === value.trim().toLowerCase());
    if (!status) throw appConfigErrors.invalidArgument('status', `status: Unknown status '${value}'`);
    return status;
  });
}

export const listSnapshots: Operation = {
  actions: [dataActions.snapshotsRead],
  since: SNAPSHOTS_SINCE,
  async run(context) {
    const fields = fieldsOf(context);
    const snapshots = await context.data.snapshots.list(context.store.nameLower, {
      name: parseStringFilter('name', context.query.one('name'), { nullable: false }),
      statuses: statusFilter(context),
      after: decodeAfter(context.query.one('after'), isString),
      limit: PAGE_SIZE + 1,
    });
    const items = snapshots.slice(0, PAGE_SIZE);
    const last = items[items.length - 1];
    return sendPage(context, {
      contentType: SNAPSHOT_SET_CONTENT_TYPE,
      items: items.map((s) => snapshotJson(s, fields)),
      next: snapshots.length > PAGE_SIZE && last ? encodeAfter(last.name) : undefined,
    });
  },
};

export const getSnapshot: Operation = {
  actions: [dataActions.snapshotsRead],
  since: SNAPSHOTS_SINCE,
  async run(context) {
    const snapshot = await context.data.snapshots.get(context.store.nameLower, snapshotName(context));
    const preconditions = readPreconditions(context.request.headers);
    if (!snapshot) return sendEmpty(context, preconditions.ifMatch ? 412 : 404);
    if (isNotModified(preconditions, snapshot.etag))
      return sendEmpty(context, 304, { etag: quoted(snapshot.etag) });
    return sendSnapshot(context, snapshot);
  },
};

/**
 * PUT /snapshots/{name}: a long-running operation on the service. Here the snapshot is complete
 * when the 201 is sent; the Operation-Location it names reports success at the first poll.
 */
export const createSnapshot: Operation = {
  // Taking a snapshot reads the key-values it copies.
  actions: [dataActions.snapshotsWrite, dataActions.keyValuesRead],
  since: SNAPSHOTS_SINCE,
  async run(context) {
    const spec = snapshotSpec(snapshotName(context), context.request.body);
    const snapshot = await context.data.snapshots.create(context.store.nameLower, spec);
    const operation =
      `${endpointOf(context)}/operations?snapshot=${encodeURIComponent(snapshot.name)}` +
      `&api-version=${context.apiVersion}`;
    return sendSnapshot(context, snapshot, 201, { 'operation-location': operation });
  },
};

/** PATCH /snapshots/{name} with `{"status": "archived" | "ready"}`: archive or recover. */
export const updateSnapshotStatus: Operation = {
  actions: [dataActions.snapshotsArchive],
  since: SNAPSHOTS_SINCE,
  async run(context) {
    const status = targetStatus(context.request.body);
    const preconditions = readPreconditions(context.request.headers);
    const snapshot = await context.data.snapshots.setStatus(
      context.store.nameLower,
      snapshotName(context),
      status,
      (existing) => checkWrite(preconditions, existing?.etag),
    );
    return sendSnapshot(context, snapshot);
  },
};

const operationStatus: Record<SnapshotStatus, string> = {
  provisioning: 'Running',
  ready: 'Succeeded',
  archived: 'Succeeded',
  failed: 'Failed',
};

/** GET /operations?snapshot={name}: the state of a snapshot's creation. */
export const getOperation: Operation = {
  actions: [dataActions.snapshotsRead],
  since: SNAPSHOTS_SINCE,
  async run(context) {
    const name = context.query.one('snapshot');
    if (name === undefined || name === '') {
      throw appConfigErrors.invalidArgument(
        'snapshot',
        'snapshot: The snapshot whose operation to show is required',
      );
    }
    const snapshot = await context.data.snapshots.get(context.store.nameLower, name);
    if (!snapshot) return sendEmpty(context, 404);
    return sendJson(context, 200, 'application/json; charset=utf-8', {
      id: snapshot.operationId,
      status: operationStatus[snapshot.status],
    });
  },
};
