import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import { changeFeedOf } from './changeFeed.js';
import type { ChangeNotice } from './changeFeed.js';
import type { Store } from './database.js';
import type { Database } from './schema.js';

/** Areas whose readers keep in-memory views that must notice changes made anywhere. */
export type ChangeArea = 'access' | 'directory';

/**
 * Per opened store, what this process knows has moved, so that its views look again at once
 * instead of after their freshness window: changes it made itself through `recordChange`, and
 * the notifications other processes' commits sent (PostgreSQL's change feed), per area.
 */
class StoreSignals {
  readonly written: Record<ChangeArea, number> = { access: 0, directory: 0 };
  private readonly notified = new Map<string, number>();
  // Bumped when notifications may have been lost: every area counts as notified.
  private missed = 0;
  private listening = false;

  notices(area: string): number {
    return (this.notified.get(area) ?? 0) + this.missed;
  }

  /** Subscribes to the store's feed, if it has one, the first time a reader asks. */
  listen(db: Store): this {
    if (this.listening) return this;
    this.listening = true;
    changeFeedOf(db)?.subscribe((notice) => this.take(notice));
    return this;
  }

  private take(notice: ChangeNotice): void {
    if (notice.kind === 'missed') this.missed += 1;
    else {
      const key = notice.kind === 'area' ? notice.area : ACCESS_JOURNAL;
      this.notified.set(key, (this.notified.get(key) ?? 0) + 1);
    }
  }
}

// Not an area name (those are change_counters rows): the journal's own notifications.
const ACCESS_JOURNAL = ' access journal';

const signals = new WeakMap<Store, StoreSignals>();

const signalsOf = (db: Store): StoreSignals => {
  let value = signals.get(db);
  if (!value) signals.set(db, (value = new StoreSignals()));
  return value;
};

/**
 * How many changes this process has made to the store through `recordChange`, all areas
 * together.
 */
export const localChangeCount = (db: Store): number => {
  const { written } = signalsOf(db);
  return written.access + written.directory;
};

/**
 * Moves when the access index may be stale: on every change this process made (its view spans
 * areas: a directory deletion reaches it through triggers) and on every notification that the
 * access journal grew elsewhere. The access engine replays the journal at once when it moved.
 */
export const accessChangeSignal = (db: Store): number =>
  localChangeCount(db) + signalsOf(db).listen(db).notices(ACCESS_JOURNAL);

/**
 * How many notifications this process has received for a change_counters row (`media` too,
 * which has no ChangeArea of its own): a reader that polls that counter looks again at once
 * when it moved. Always 0 on SQLite, which has no feed.
 */
export const changeNotices = (db: Store, area: string): number => signalsOf(db).listen(db).notices(area);

/**
 * Runs `work` in a transaction that also bumps the area's version in `change_counters`, which is
 * how other processes (the CLI, other nodes) learn that their in-memory views are stale. On
 * PostgreSQL the bump also notifies them (migration 0016).
 */
export async function recordChange<T>(
  db: Store,
  area: ChangeArea,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const result = await db.transaction().execute(async (trx) => {
    const value = await work(trx);
    await trx
      .updateTable('change_counters')
      .set({ version: sql`version + 1` })
      .where('name', '=', area)
      .execute();
    return value;
  });
  signalsOf(db).written[area] += 1;
  return result;
}

/**
 * Tells cheaply whether an area may have changed: a stamp that moves at once on local changes,
 * on a notification from another process (PostgreSQL), and otherwise within `freshnessMs` (one
 * indexed read per window: the fallback when a notification is lost).
 */
export class ChangeWatcher {
  private version = -1;
  private generation = -1;
  private notices = -1;
  private checkedAt = 0;
  // Reads are numbered so that one finishing after a later one cannot put an older version back.
  private reads = 0;
  private applied = 0;
  private pending?: { generation: number; notices: number; read: Promise<string> };

  constructor(
    private readonly db: Store,
    private readonly area: ChangeArea,
    private readonly freshnessMs = 1000,
  ) {}

  /** `maxAgeMs` narrows the window for one caller that must see changes made elsewhere at once. */
  async stamp(maxAgeMs = this.freshnessMs): Promise<string> {
    const signals = signalsOf(this.db).listen(this.db);
    const generation = signals.written[this.area];
    const notices = signals.notices(this.area);
    if (
      generation === this.generation &&
      notices === this.notices &&
      Date.now() - this.checkedAt < Math.min(maxAgeMs, this.freshnessMs)
    ) {
      return this.current();
    }
    // A read started before the latest change or notice may have missed it: start another.
    const pending = this.pending;
    if (pending && pending.generation === generation && pending.notices === notices) return pending.read;
    const read = this.read(generation, notices).finally(() => {
      if (this.pending?.read === read) this.pending = undefined;
    });
    this.pending = { generation, notices, read };
    return read;
  }

  private current(): string {
    return `${this.version}:${this.generation}`;
  }

  private async read(generation: number, notices: number): Promise<string> {
    const number = ++this.reads;
    const checkedAt = Date.now();
    const row = await this.db
      .selectFrom('change_counters')
      .select('version')
      .where('name', '=', this.area)
      .executeTakeFirst();
    if (number > this.applied) {
      this.applied = number;
      this.version = Number(row?.version ?? 0);
      this.generation = generation;
      this.notices = notices;
      this.checkedAt = checkedAt;
    }
    return this.current();
  }
}
