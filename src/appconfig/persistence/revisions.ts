import type { Store } from '../../store/database.js';
import type { Revision } from '../model.js';
import { appConfigEngine } from './engine.js';
import { KEY_VALUE_COLUMNS, labelColumn } from './rows.js';
import type { RevisionRow } from './rows.js';
import type { AppConfigEngine } from './engineContract.js';
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
  private readonly engine: AppConfigEngine;

  constructor(db: Store) {
    this.engine = appConfigEngine(db);
  }

  async list(
    storeName: string,
    query: KeyValueQuery,
    options: { asOf?: number; after?: RevisionCursor; limit: number },
  ): Promise<Revision[]> {
    const where = new Conditions().add('r.store_name = ?', storeName).add('r.deleted = 0');
    addStringFilter(where, 'r.key', query.key, options.after?.key);
    addStringFilter(where, 'r.label', query.label);
    addTagFilters(where, this.engine, 'r.tags', query.tags);
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
    const rows = await this.engine.reads.rows<RevisionRow>(text, [
      ...where.params,
      this.engine.limit(options.limit),
    ]);
    return rows.map((row) => this.engine.rows.toRevision(row));
  }
}
