import type { Store } from '../../store/database.js';
import { appConfigEngine } from './engine.js';
import type { AppConfigEngine } from './engineContract.js';

/** How long a stamp is trusted before the database is asked again. */
export const STAMP_FRESHNESS_MS = 100;

/**
 * A stamp that moves whenever the data may have changed: at once for writes this process makes
 * through the data plane (`bump`), and — for writes made anywhere else (the CLI, the management
 * API, another process or node) — within `freshnessMs`, when the database is asked again, or
 * sooner when the engine hears of a change (PostgreSQL's notifications). What is asked is the
 * engine's: SQLite's own change counts, or PostgreSQL's `appconfig` change counter. Asking costs a
 * statement: measured on SQLite, a third of a cached read's throughput when done per request,
 * nothing at ten times a second. Changes made elsewhere thus show within 100 ms (the directory
 * and access caches take up to a second).
 */
export class DataStamp {
  private readonly engine: AppConfigEngine;
  private databaseStamp = '';
  private checkedAt = -Infinity;
  /** The engine's notices when the database was last asked: another one means ask again. */
  private notices = 0;
  private generation = 0;
  /** `database:generation`, kept built: every request asks. */
  private current = '';
  private pending?: Promise<string>;

  constructor(
    db: Store,
    private readonly freshnessMs = STAMP_FRESHNESS_MS,
  ) {
    this.engine = appConfigEngine(db);
  }

  /** The stamp without waiting, when the database was asked recently enough. */
  peek(): string | undefined {
    return Date.now() - this.checkedAt < this.freshnessMs && this.engine.notices() === this.notices
      ? this.current
      : undefined;
  }

  async read(): Promise<string> {
    const fresh = this.peek();
    if (fresh !== undefined) return fresh;
    this.pending ??= this.ask().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * The stamp less this process's own key-value writes: for what those writes cannot change
   * (the stores themselves), so a busy writer does not make every request look its store up again.
   */
  get database(): string {
    return this.databaseStamp;
  }

  /** After a committed write of this process: whatever was read before is suspect. */
  bump(): void {
    this.generation += 1;
    this.current = `${this.databaseStamp}:${this.generation}`;
  }

  private async ask(): Promise<string> {
    // Taken before asking: a notice that arrives meanwhile may announce what this read missed.
    const notices = this.engine.notices();
    this.databaseStamp = await this.engine.readStamp();
    this.notices = notices;
    this.current = `${this.databaseStamp}:${this.generation}`;
    this.checkedAt = Date.now();
    return this.current;
  }
}

/**
 * Values read from the store, kept while the stamp they were read under is current. Bounded,
 * because keys come from requests; emptied whenever the stamp moves, which is cheap since writes
 * are rare next to reads. Cached values are shared: never mutate them.
 */
export class StampedCache<V> {
  private readonly entries = new Map<string, V>();
  private stamp = '';

  constructor(private readonly maxEntries = 20_000) {}

  /** The value, when it is cached under this very stamp. */
  peek(stamp: string, key: string): V | undefined {
    return stamp === this.stamp ? this.entries.get(key) : undefined;
  }

  async get(stamp: string, key: string, load: () => Promise<V>): Promise<V> {
    if (stamp !== this.stamp) {
      this.entries.clear();
      this.stamp = stamp;
    }
    if (this.entries.has(key)) return this.entries.get(key) as V;
    const value = await load();
    // Only a value read under the current stamp may be kept (a change may have landed meanwhile).
    if (stamp === this.stamp) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, value);
    }
    return value;
  }
}
