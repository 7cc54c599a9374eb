import type { Transaction } from 'kysely';
import { recordChange } from '../store/changes.js';
import type { Store } from '../store/database.js';
import type { Database } from '../store/schema.js';

/** A change to what the access engine indexes (assignments, definitions, deny assignments, groups). */
export const changeAccess = <T>(db: Store, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
  recordChange(db, 'access', work);
