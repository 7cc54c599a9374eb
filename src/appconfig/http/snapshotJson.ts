import type { Snapshot } from '../model.js';
import { isoSeconds } from './wireTime.js';

export type SnapshotField =
  | 'etag'
  | 'name'
  | 'status'
  | 'filters'
  | 'composition_type'
  | 'created'
  | 'expires'
  | 'retention_period'
  | 'size'
  | 'items_count'
  | 'tags'
  | 'description';

export const SNAPSHOT_FIELDS: readonly SnapshotField[] = [
  'etag',
  'name',
  'status',
  'filters',
  'composition_type',
  'created',
  'expires',
  'retention_period',
  'size',
  'items_count',
  'tags',
  'description',
];

const fieldValue: Record<SnapshotField, (s: Snapshot) => unknown> = {
  etag: (s) => s.etag,
  name: (s) => s.name,
  status: (s) => s.status,
  filters: (s) =>
    s.filters.map((f) => ({ key: f.key, label: f.label, ...(f.tags.length > 0 ? { tags: f.tags } : {}) })),
  composition_type: (s) => s.compositionType,
  created: (s) => isoSeconds(s.created),
  expires: (s) => (s.expires === null ? null : isoSeconds(s.expires)),
  retention_period: (s) => s.retentionPeriod,
  size: (s) => s.size,
  items_count: (s) => s.itemsCount,
  tags: (s) => s.tags,
  description: (s) => s.description,
};

export function snapshotJson(snapshot: Snapshot, fields: readonly SnapshotField[]): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const field of fields) json[field] = fieldValue[field](snapshot);
  return json;
}

export const SNAPSHOT_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.snapshot+json; charset=utf-8';
export const SNAPSHOT_SET_CONTENT_TYPE =
  'application/vnd.microsoft.appconfig.snapshotset+json; charset=utf-8';
