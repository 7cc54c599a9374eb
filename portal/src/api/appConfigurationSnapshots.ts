import type { KeyValue, Listing } from './appConfiguration.js';
import {
  API_VERSION,
  call,
  keyValueOf,
  labelFilterParameter,
  listPages,
  storeBase,
} from './appConfiguration.js';
import type { Json } from './json.js';
import { isJson, text } from './json.js';

/**
 * Snapshots: a store's key-values selected by up to three key/label filters, copied at creation
 * (a long-running operation polled through Operation-Location), archived and recovered by status.
 */
export type SnapshotStatus = 'provisioning' | 'ready' | 'archived' | 'failed';
export type CompositionType = 'key' | 'key_label';

export interface Snapshot {
  name: string;
  status: SnapshotStatus;
  compositionType: CompositionType;
  filters: { key: string; label: string | null }[];
  created: string;
  expires: string | null;
  retentionPeriod: number;
  itemsCount: number;
  etag: string;
}

export interface SnapshotInput {
  name: string;
  filters: { key: string; label: string }[];
  compositionType: CompositionType;
  /** Seconds an archived snapshot is kept: an hour to 90 days. */
  retentionPeriod: number;
}

const STATUSES: readonly SnapshotStatus[] = ['provisioning', 'ready', 'archived', 'failed'];

const SNAPSHOT_ACCEPT = 'application/vnd.microsoft.appconfig.snapshot+json, application/problem+json';
const SNAPSHOTSET_ACCEPT = 'application/vnd.microsoft.appconfig.snapshotset+json, application/problem+json';

function snapshotOf(item: Json): Snapshot {
  const status = STATUSES.find((s) => s === item.status) ?? 'failed';
  return {
    name: text(item.name),
    status,
    compositionType: item.composition_type === 'key_label' ? 'key_label' : 'key',
    filters: (Array.isArray(item.filters) ? item.filters : []).filter(isJson).map((f) => ({
      key: text(f.key),
      label: typeof f.label === 'string' ? f.label : null,
    })),
    created: text(item.created),
    expires: typeof item.expires === 'string' ? item.expires : null,
    retentionPeriod: typeof item.retention_period === 'number' ? item.retention_period : 0,
    itemsCount: typeof item.items_count === 'number' ? item.items_count : 0,
    etag: text(item.etag),
  };
}

const snapshotPath = (name: string) => `/snapshots/${encodeURIComponent(name)}?api-version=${API_VERSION}`;

export async function listSnapshots(store: string): Promise<Listing<Snapshot>> {
  const { items, more } = await listPages(store, `/snapshots?api-version=${API_VERSION}`, SNAPSHOTSET_ACCEPT);
  return { items: items.map(snapshotOf), more };
}

/** The key-values a snapshot holds. */
export async function listSnapshotItems(store: string, name: string): Promise<Listing<KeyValue>> {
  const path = `/kv?api-version=${API_VERSION}&snapshot=${encodeURIComponent(name)}`;
  const { items, more } = await listPages(
    store,
    path,
    'application/vnd.microsoft.appconfig.kvset+json, application/problem+json',
  );
  return { items: items.map(keyValueOf), more };
}

/** Where a creation's progress is reported: the Operation-Location, as a path on this store. */
export interface SnapshotOperation {
  snapshot: Snapshot;
  /** The path (on this origin) to poll. */
  operationPath: string;
}

export async function createSnapshot(store: string, input: SnapshotInput): Promise<SnapshotOperation> {
  const response = await call(store, snapshotPath(input.name), {
    method: 'PUT',
    headers: {
      'content-type': 'application/vnd.microsoft.appconfig.snapshot+json',
      accept: SNAPSHOT_ACCEPT,
    },
    body: {
      filters: input.filters.map((f) => ({
        key: f.key,
        // An empty label selects key-values without a label, as the API reads an omitted one.
        ...(f.label === '' ? {} : { label: labelFilterParameter(f.label) }),
      })),
      composition_type: input.compositionType,
      retention_period: input.retentionPeriod,
    },
  });
  if (!isJson(response.body)) throw new Error('The store answered without the snapshot it created.');
  const location = response.headers.get('operation-location');
  const fallback = `${storeBase(store)}/operations?snapshot=${encodeURIComponent(input.name)}&api-version=${API_VERSION}`;
  let operationPath = fallback;
  if (location) {
    const url = new URL(location, window.location.origin);
    // Only polled on this origin: the token for it never goes elsewhere.
    if (url.origin === window.location.origin) operationPath = url.pathname + url.search;
  }
  return { snapshot: snapshotOf(response.body), operationPath };
}

export type OperationStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

/** One poll of a creation: the operation's status as the store reports it. */
export async function pollOperation(store: string, operationPath: string): Promise<OperationStatus> {
  const base = storeBase(store);
  const relative = operationPath.startsWith(`${base}/`) ? operationPath.slice(base.length) : operationPath;
  const { body } = await call(store, relative, { headers: { accept: 'application/json' } });
  const status = isJson(body) ? text(body.status) : '';
  const known: OperationStatus[] = ['NotStarted', 'Running', 'Succeeded', 'Failed', 'Canceled'];
  return known.find((s) => s.toLowerCase() === status.toLowerCase()) ?? 'Running';
}

export async function getSnapshot(store: string, name: string): Promise<Snapshot> {
  const { body } = await call(store, snapshotPath(name), { headers: { accept: SNAPSHOT_ACCEPT } });
  if (!isJson(body)) throw new Error('The store answered without the snapshot.');
  return snapshotOf(body);
}

/** Archives (`archived`) or recovers (`ready`) a snapshot, as it was when read. */
export async function setSnapshotStatus(
  store: string,
  snapshot: Snapshot,
  status: 'archived' | 'ready',
): Promise<Snapshot> {
  const { body } = await call(store, snapshotPath(snapshot.name), {
    method: 'PATCH',
    headers: {
      'content-type': 'application/merge-patch+json',
      accept: SNAPSHOT_ACCEPT,
      'if-match': `"${snapshot.etag}"`,
    },
    body: { status },
  });
  if (!isJson(body)) throw new Error('The store answered without the snapshot.');
  return snapshotOf(body);
}
