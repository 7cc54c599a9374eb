import type { Tags } from '../../model.js';
import { KeyValueRows } from '../rows.js';
import { postgresText } from './postgresText.js';

/** A row of a SQLite store, as PostgreSQL must receive it. */
export type RowTransform = (row: Record<string, unknown>) => Record<string, unknown>;

const rows = new KeyValueRows(postgresText);

const text = (value: unknown): unknown => (typeof value === 'string' ? rows.storedText(value) : value);

/** Free text, and tags as the engine compares them (engines/postgresText.ts): what SQLite keeps as sent. */
const keyValueRow: RowTransform = (row) => ({
  ...row,
  value: text(row.value),
  content_type: text(row.content_type),
  description: text(row.description),
  tags: typeof row.tags === 'string' ? rows.tagsColumn(JSON.parse(row.tags) as Tags) : row.tags,
});

/**
 * What `tessera migrate` must do to App Configuration's rows on their way from SQLite to
 * PostgreSQL: the data plane stores free text there in PostgreSQL's form, so a value with U+0000
 * (which SQLite holds and PostgreSQL refuses) or U+FFFF reads back exactly after the copy.
 */
export const appConfigRowsForPostgres: Readonly<Record<string, RowTransform>> = {
  appconfig_key_values: keyValueRow,
  appconfig_revisions: keyValueRow,
  appconfig_snapshot_items: keyValueRow,
  appconfig_snapshots: (row) => ({ ...row, description: text(row.description) }),
};
