import type { Store } from '../../store/database.js';
import { storeEngine } from '../../store/engine.js';
import { PostgresEngine } from './engines/postgres.js';
import { SqliteEngine } from './engines/sqlite.js';
import type { AppConfigEngine } from './engineContract.js';

const engines = new WeakMap<Store, AppConfigEngine>();

/** The data plane's engine for a store: one per opened store, shared by its readers and writers. */
export function appConfigEngine(db: Store): AppConfigEngine {
  let engine = engines.get(db);
  if (!engine) {
    engine = storeEngine(db) === 'postgres' ? new PostgresEngine(db) : new SqliteEngine(db);
    engines.set(db, engine);
  }
  return engine;
}
