import type { Store } from '../../store/database.js';
import { StampedCache } from './dataStamp.js';
import { appConfigEngine } from './engine.js';
import type { Sql } from './sql.js';
import { queryRow } from './sql.js';

const LAST_SEQUENCE = 'SELECT max(seq) AS seq FROM appconfig_revisions WHERE store_name = ?';

/**
 * Each store's change counter, the sequence number of its latest revision, which every response
 * reports in its Sync-Token. Read once per database stamp (so only after something changed);
 * a write of this process advances it at once, for the write's own response. The engine commits
 * a store's revisions in the order of their numbers (on PostgreSQL, under the store's lock), so
 * the latest one read says that every earlier one is there too.
 */
export class StoreSequences {
  private readonly read = new StampedCache<number>();
  private readonly advanced = new Map<string, number>();
  private readonly reads: Sql;

  constructor(db: Store) {
    this.reads = appConfigEngine(db).reads;
  }

  /** Without a query, when the counter was read under this stamp (and so knows every change). */
  peek(storeName: string, stamp: string): number | undefined {
    const read = this.read.peek(stamp, storeName);
    return read === undefined ? undefined : Math.max(read, this.advanced.get(storeName) ?? 0);
  }

  /** After a write of this process: at least as far as its own writes took the counter. */
  afterWrite(storeName: string, stamp: string): number | undefined {
    const advanced = this.advanced.get(storeName);
    const read = this.read.peek(stamp, storeName);
    if (advanced === undefined) return read;
    return read === undefined ? advanced : Math.max(read, advanced);
  }

  async current(storeName: string, stamp: string): Promise<number> {
    const read = await this.read.get(stamp, storeName, async () => {
      const row = await queryRow<{ seq: number | null }>(this.reads, LAST_SEQUENCE, [storeName]);
      return Number(row?.seq ?? 0);
    });
    return Math.max(read, this.advanced.get(storeName) ?? 0);
  }

  /** After a committed write of this process. */
  advance(storeName: string, seq: number): void {
    if ((this.advanced.get(storeName) ?? 0) >= seq) return;
    if (this.advanced.size >= 10_000) this.advanced.clear();
    this.advanced.set(storeName, seq);
  }
}
