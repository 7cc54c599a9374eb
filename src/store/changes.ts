import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Store } from './database.js';
import type { Database } from './schema.js';

/** Areas whose readers keep in-memory views that must notice changes made anywhere. */
export type ChangeArea = 'access' | 'directory';

// Per opened store and area: changes made by this process, so its views see them at once
// instead of after their freshness window.
const localGenerations = new WeakMap<Store, Record<ChangeArea, number>>();

const generations = (db: Store): Record<ChangeArea, number> => {
  let value = localGenerations.get(db);
  if (!value) localGenerations.set(db, (value = { access: 0, directory: 0 }));
  return value;
};

/**
 * How many changes this process has made to the store through `recordChange`, all areas
 * together: a reader whose view spans areas (the access index, which a directory deletion can
 * reach through triggers) compares it to tell whether to look again at once.
 */
export const localChangeCount = (db: Store): number => {
  const value = generations(db);
  return value.access + value.directory;
};

/**
 * Runs `work` in a transaction that also bumps the area's version in `change_counters`, which is
 * how other processes (the CLI, other nodes) learn that their in-memory views are stale.
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
  generations(db)[area] += 1;
  return result;
}

/**
 * Tells cheaply whether an area may have changed: a stamp that moves at once on local changes
 * and, for changes made elsewhere, within `freshnessMs` (one indexed read per window).
 */
export class ChangeWatcher {
  private version = -1;
  private generation = -1;
  private checkedAt = 0;
  private pending?: Promise<string>;

  constructor(
    private readonly db: Store,
    private readonly area: ChangeArea,
    private readonly freshnessMs = 1000,
  ) {}

  /** `maxAgeMs` narrows the window for one caller that must see changes made elsewhere at once. */
  async stamp(maxAgeMs = this.freshnessMs): Promise<string> {
    const generation = generations(this.db)[this.area];
    if (
      generation === this.generation &&
      Date.now() - this.checkedAt < Math.min(maxAgeMs, this.freshnessMs)
    ) {
      return `${this.version}:${this.generation}`;
    }
    this.pending ??= this.read(generation).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async read(generation: number): Promise<string> {
    const row = await this.db
      .selectFrom('change_counters')
      .select('version')
      .where('name', '=', this.area)
      .executeTakeFirst();
    this.version = Number(row?.version ?? 0);
    this.generation = generation;
    this.checkedAt = Date.now();
    return `${this.version}:${this.generation}`;
  }
}
