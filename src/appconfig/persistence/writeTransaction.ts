import { CompiledQuery } from 'kysely';
import type { Kysely } from 'kysely';
import type { Store } from '../../store/database.js';
import type { Database } from '../../store/schema.js';

const begin = CompiledQuery.raw('BEGIN IMMEDIATE');
const commit = CompiledQuery.raw('COMMIT');
const rollback = CompiledQuery.raw('ROLLBACK');

/**
 * A write transaction that takes SQLite's write lock at once. A deferred transaction that reads
 * before writing (every conditional write does) fails with SQLITE_BUSY when another process (the
 * CLI) committed in between; IMMEDIATE makes the two wait for each other under busy_timeout.
 * Any error rolls everything back: a write is all or nothing.
 */
export async function writeTransaction<T>(
  db: Store,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    await connection.executeQuery(begin);
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      try {
        await connection.executeQuery(rollback);
      } catch {
        // SQLite may have rolled back already (a full disk); the first error is the one to report.
      }
      throw error;
    }
    await connection.executeQuery(commit);
    return result;
  });
}
