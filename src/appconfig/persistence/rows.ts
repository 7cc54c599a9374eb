import type { KeyValue, Revision, Tags } from '../model.js';

/** Columns of a key-value in the current, revision and snapshot tables (all three share them). */
export const KEY_VALUE_COLUMNS =
  'key, label, value, content_type, description, tags, locked, etag, last_modified';

export interface KeyValueRow {
  key: string;
  /** '' is the null label. */
  label: string;
  value: string | null;
  content_type: string | null;
  description: string | null;
  tags: string;
  locked: number;
  etag: string;
  last_modified: number;
}

export interface RevisionRow extends KeyValueRow {
  seq: number;
  deleted: number;
}

export const labelColumn = (label: string | null): string => label ?? '';

export const toKeyValue = (row: KeyValueRow): KeyValue => ({
  key: row.key,
  label: row.label === '' ? null : row.label,
  value: row.value,
  contentType: row.content_type,
  description: row.description,
  tags: JSON.parse(row.tags) as Tags,
  locked: row.locked === 1,
  etag: row.etag,
  lastModified: Number(row.last_modified),
});

export const toRevision = (row: RevisionRow): Revision => ({ ...toKeyValue(row), seq: Number(row.seq) });

/** Column values in KEY_VALUE_COLUMNS order. */
export const keyValueParams = (kv: KeyValue): unknown[] => [
  kv.key,
  labelColumn(kv.label),
  kv.value,
  kv.contentType,
  kv.description,
  JSON.stringify(kv.tags),
  kv.locked ? 1 : 0,
  kv.etag,
  kv.lastModified,
];
