import { INSERT_REVISION, UPSERT_CURRENT_CONFLICT } from '../keyValueChanges.js';
import type { KeyValueChanges } from '../keyValueChanges.js';
import { KEY_VALUE_COLUMNS } from '../rows.js';

const REVISION = `${INSERT_REVISION} RETURNING seq, store_name, ${KEY_VALUE_COLUMNS}`;
const PUT =
  `WITH revision AS (${REVISION}), current AS (INSERT INTO appconfig_key_values (store_name, ${KEY_VALUE_COLUMNS}) ` +
  `SELECT store_name, ${KEY_VALUE_COLUMNS} FROM revision ${UPSERT_CURRENT_CONFLICT}) SELECT seq FROM revision`;
const REMOVE =
  `WITH revision AS (${REVISION}), gone AS (DELETE FROM appconfig_key_values k USING revision r ` +
  'WHERE k.store_name = r.store_name AND k.key = r.key AND k.label = r.label) SELECT seq FROM revision';

/**
 * A change in one statement, the revision and the current row together: on PostgreSQL every
 * statement is a round trip, and a batch of writes holds its store's lock for all of them.
 */
export const inOneStatement: KeyValueChanges = {
  put: (trx, storeName, columns) => trx.insertSeq(PUT, [storeName, ...columns, 0]),
  remove: (trx, storeName, columns) => trx.insertSeq(REMOVE, [storeName, ...columns, 1]),
};
