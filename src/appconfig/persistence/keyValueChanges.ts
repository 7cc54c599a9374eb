import { KEY_VALUE_COLUMNS } from './rows.js';
import type { WriteSql } from './sql.js';

/**
 * The statements that record one change of a key-value: its revision, and its current state.
 * Parameters are the store's name and the key-value's columns (KEY_VALUE_COLUMNS order).
 */
export interface KeyValueChanges {
  /** The revision, and the key-value made current; the revision's number. */
  put(trx: WriteSql, storeName: string, columns: readonly unknown[]): Promise<number>;
  /** A tombstone revision, and the key-value no longer current; the revision's number. */
  remove(trx: WriteSql, storeName: string, columns: readonly unknown[]): Promise<number>;
}

const VALUES = '?, ?, ?, ?, ?, ?, ?, ?, ?, ?';
export const INSERT_REVISION = `INSERT INTO appconfig_revisions (store_name, ${KEY_VALUE_COLUMNS}, deleted) VALUES (${VALUES}, ?)`;
export const UPSERT_CURRENT_CONFLICT =
  'ON CONFLICT (store_name, key, label) DO UPDATE SET value = excluded.value, ' +
  'content_type = excluded.content_type, description = excluded.description, tags = excluded.tags, ' +
  'locked = excluded.locked, etag = excluded.etag, last_modified = excluded.last_modified';
const UPSERT_CURRENT = `INSERT INTO appconfig_key_values (store_name, ${KEY_VALUE_COLUMNS}) VALUES (${VALUES}) ${UPSERT_CURRENT_CONFLICT}`;
const DELETE_CURRENT = 'DELETE FROM appconfig_key_values WHERE store_name = ? AND key = ? AND label = ?';

/**
 * One statement at a time, the revision's number being its rowid: SQLite's way, where a statement
 * costs no round trip (and a RETURNING row would cost about a tenth of a write).
 */
export const statementByStatement: KeyValueChanges = {
  async put(trx, storeName, columns) {
    const seq = await trx.insertSeq(INSERT_REVISION, [storeName, ...columns, 0]);
    await trx.write(UPSERT_CURRENT, [storeName, ...columns]);
    return seq;
  },
  async remove(trx, storeName, columns) {
    const seq = await trx.insertSeq(INSERT_REVISION, [storeName, ...columns, 1]);
    // key and label lead the columns.
    await trx.write(DELETE_CURRENT, [storeName, columns[0], columns[1]]);
    return seq;
  },
};
