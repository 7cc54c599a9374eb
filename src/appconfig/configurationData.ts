import type { Store } from '../store/database.js';
import type { KeyValue } from './model.js';
import { DataStamp, StampedCache } from './persistence/dataStamp.js';
import { KeyValues } from './persistence/keyValues.js';
import { Revisions } from './persistence/revisions.js';
import { Snapshots } from './persistence/snapshots.js';

/** The data of configuration stores, shared by the HTTP data plane and the CLI. */
export class ConfigurationData {
  readonly stamp: DataStamp;
  readonly keyValues: KeyValues;
  readonly revisions: Revisions;
  readonly snapshots: Snapshots;
  /** Single key-value reads (the hot path), kept while the database stamp stays the same. */
  readonly keyValueReads = new StampedCache<KeyValue | null>();

  constructor(db: Store) {
    this.stamp = new DataStamp(db);
    this.keyValues = new KeyValues(db, this.stamp);
    this.revisions = new Revisions(db);
    this.snapshots = new Snapshots(db, this.stamp);
  }
}
