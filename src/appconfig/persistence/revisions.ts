import type { Store } from '../../store/database.js';
import type { Revision } from '../model.js';
import { KEY_VALUE_COLUMNS, labelColumn, toRevision } from './rows.js';
import type { RevisionRow } from './rows.js';
import { queryRows } from './sql.js';
import { Conditions, addStringFilter, addTagFilters } from './sqlFilters.js';
import type { KeyValueQuery } from './sqlFilters.js';

export interface RevisionCursor {
  key: string;
  label: string | null;
  seq: number;
}

/**
 * Past states of key-values: every write and lock change (deletions are kept for time travel but
 * not listed, as the service). Ordered by key and label, newest first within each.
 */
export class Revisions {
  constructor(private readonly db: Store) {}

  async list(
    storeName: string,
    query: KeyValueQuery,
    options: { asOf?: number; after?: RevisionCursor; limit: number },
  ): Promise<Revision[]> {
    const where = new Conditions().add('r.store_name = ?', storeName).add('r.deleted = 0');
    addStringFilter(where, 'r.key', query.key, options.after?.key);
    addStringFilter(where, 'r.label', query.label);
    addTagFilters(where, 'r.tags', query.tags);
    if (options.asOf !== undefined) where.add('r.last_modified <= ?', options.asOf);
    const after = options.after;
    if (after) {
      const label = labelColumn(after.label);
      where.add(
        '(r.key > ? OR (r.key = ? AND (r.label > ? OR (r.label = ? AND r.seq < ?))))',
        after.key,
        after.key,
        label,
        label,
        after.seq,
      );
    }
    const text =
      `SELECT seq, deleted, ${KEY_VALUE_COLUMNS} FROM appconfig_revisions r WHERE 1 = 1${where.sql} ` +
      'ORDER BY r.key, r.label, r.seq DESC LIMIT ?';
    const rows = await queryRows<RevisionRow>(this.db, text, [...where.params, options.limit]);
    return rows.map(toRevision);
  }
}
