import type { Store } from '../../store/database.js';
import { changeNotices } from '../../store/changes.js';
import { storeEngine } from '../../store/engine.js';
import type { StoreEngine } from '../../store/engine.js';
import {
  accountVersion,
  accountVersions,
  bumpAccountVersion,
  bumpMediaCounter,
  currentAccountVersion,
  lockAccount,
  mediaCounter,
} from './accountVersions.js';
import { AccountWriter } from './accountWriter.js';
import type { AccountState, AccountView } from './accountView.js';
import { applyChanges, readAccount, writeChanges } from './entityRows.js';
import type { Queryable } from './mediaTables.js';
import { TaskClaims } from './taskClaims.js';
import { MediaWriteConflict } from './writeConflict.js';

export { AccountWriter } from './accountWriter.js';
export type { CommitStep } from './accountWriter.js';
export { MediaWriteConflict } from './writeConflict.js';

/** How long a process trusts its views before asking whether another process wrote. */
const FRESHNESS_MS = 100;
/** How often a unit that may run again does, before its conflict is the caller's (SQLite only). */
const ATTEMPTS = 5;

export interface WriteOptions {
  /**
   * The work only stages changes on its writer (no effects outside it, nothing kept from a run),
   * so it may run again over a reloaded view when another process committed to the account
   * first. Without it such a race rejects with MediaWriteConflict. Only SQLite races: on
   * PostgreSQL the work always runs over the current view, under the account's lock.
   */
  retryOnConflict?: boolean;
}

interface Committed {
  version: number;
  counter: number;
}

/**
 * Every account's entities, read from memory and written through to the store, correct when
 * several processes share the store (the CLI, nodes on PostgreSQL).
 *
 * Views. Each account's view records the account's version (media_versions) it was read at. A
 * process's own commits update its views as they commit (job progress writes often; reloading
 * 10,000 assets each time would not do). Reads trust the views for 100 ms, then read the `media`
 * change counter: when it moved by more than this process's commits, the account versions are
 * read and the views that fell behind dropped.
 *
 * Writes. A unit of work never commits over a commit it has not seen. On PostgreSQL the unit
 * runs inside its transaction, under an advisory lock on the account: the view is checked
 * against the account's version (and read again if behind) before the rules run, so the rules
 * always see the current state and nothing can commit in between. On SQLite the rules cannot run
 * inside a transaction (it would hold the one connection while they await), so the view is
 * checked just before they run and the commit moves the version only from the one they saw; a
 * unit that lost that race is run again or refused (MediaWriteConflict), never committed.
 * Writes are serialised per process.
 */
export class MediaEntities {
  /** Leases of encoding tasks, written in the same transactions as the tasks' states. */
  readonly claims: TaskClaims;
  private readonly engine: StoreEngine;
  private readonly views = new Map<string, Promise<AccountState>>();
  /** The views that finished loading, to compare with the account versions. */
  private readonly loaded = new Map<string, AccountState>();
  /** The newest version seen of each account: a load that ends older than it is not kept. */
  private readonly seen = new Map<string, number>();
  private knownCounter = -1;
  /** The counter's lead over the sum of the account versions, when last read. */
  private lead: number | undefined;
  private checkedAt = -Infinity;
  /** Notifications of the `media` counter seen when it was last read. */
  private notices = 0;
  private checking?: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Store) {
    this.engine = storeEngine(db);
    this.claims = new TaskClaims(db);
  }

  /** The committed state of an account (loaded once, then kept while current). */
  async view(account: string): Promise<AccountView> {
    await this.fresh();
    return this.state(account);
  }

  /**
   * The committed state as of now, the counter read whatever its age: for a lookup that missed
   * and may name what another process (the CLI) has just written, such as a new locator. One
   * single-row read, so a miss made up by a caller costs little.
   */
  async currentView(account: string): Promise<AccountView> {
    this.checkedAt = -Infinity;
    await this.fresh();
    return this.state(account);
  }

  /**
   * Runs `work` against a writer and commits what it staged in one transaction. Whatever `work`
   * throws aborts the whole unit: nothing is written.
   */
  write<T>(
    account: string,
    work: (writer: AccountWriter) => T | Promise<T>,
    options: WriteOptions = {},
  ): Promise<T> {
    const run = this.queue.then(() =>
      this.engine === 'postgres'
        ? this.writeLocked(account, work)
        : this.writeChecked(account, work, options.retryOnConflict === true),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The store's media change counter (read at most every 100 ms): it moves with every write,
   * this process's or another's, so a poller can tell cheaply whether anything changed.
   */
  async version(): Promise<number> {
    await this.fresh();
    return this.knownCounter;
  }

  /** Drops every view: the next read loads from the store. */
  forget(account?: string): void {
    if (account === undefined) {
      this.views.clear();
      this.loaded.clear();
    } else {
      this.views.delete(account);
      this.loaded.delete(account);
    }
  }

  /** PostgreSQL: the rules run under the account's lock, over a view checked against its version. */
  private async writeLocked<T>(account: string, work: (writer: AccountWriter) => T | Promise<T>): Promise<T> {
    let state = await this.state(account);
    let writer: AccountWriter | undefined;
    let committed: Committed | undefined;
    let persisting = false;
    let result: T;
    try {
      result = await this.db.transaction().execute(async (trx) => {
        await lockAccount(trx, account);
        if (state.version !== (await accountVersion(trx, account))) {
          state = await readAccount(trx, account);
          this.install(state);
        }
        writer = new AccountWriter(state);
        const value = await work(writer);
        if (writer.empty) return value;
        persisting = true;
        committed = await this.persist(trx, writer, state.version);
        return value;
      });
    } catch (error) {
      // The store refused (a constraint, the connection): the view may no longer match it.
      if (persisting) this.forget(account);
      throw error;
    }
    if (writer && committed) this.committed(state, writer, committed);
    return result;
  }

  /**
   * SQLite: the view is checked just before the rules run, and the commit moves the version on
   * only from the one they saw. A unit that lost the race runs again over the new state when its
   * caller allows it, and is refused otherwise.
   */
  private async writeChecked<T>(
    account: string,
    work: (writer: AccountWriter) => T | Promise<T>,
    retryOnConflict: boolean,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let state = await this.state(account);
      if (state.version !== (await currentAccountVersion(this.db, account)))
        state = await this.reload(account);
      const writer = new AccountWriter(state);
      const value = await work(writer);
      if (writer.empty) return value;
      try {
        const committed = await this.db
          .transaction()
          .execute((trx) => this.persist(trx, writer, state.version));
        this.committed(state, writer, committed);
        return value;
      } catch (error) {
        this.forget(account);
        if (error instanceof MediaWriteConflict && retryOnConflict && attempt < ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /**
   * The unit's statements. The version moves first: on SQLite that statement also takes the
   * database's write lock, so what it returns tells whether anyone committed since `from`.
   */
  private async persist(trx: Queryable, writer: AccountWriter, from: number): Promise<Committed> {
    const account = writer.account;
    const version = await bumpAccountVersion(trx, account);
    if (version !== from + 1) throw new MediaWriteConflict(account);
    for (const step of writer.steps) await step(trx);
    await writeChanges(trx, account, writer.changes);
    return { version, counter: await bumpMediaCounter(trx) };
  }

  private committed(state: AccountState, writer: AccountWriter, committed: Committed): void {
    applyChanges(state, writer.changes);
    state.version = committed.version;
    this.install(state);
    if (committed.counter === this.knownCounter + 1) {
      // Only our own commit since the counter was last read: every view is as current as it was.
      this.knownCounter = committed.counter;
      this.checkedAt = Date.now();
    } else {
      // Another process wrote meanwhile: the next read finds out which accounts it changed.
      this.checkedAt = -Infinity;
    }
  }

  /** `state` becomes the account's view (a newer one than any load under way). */
  private install(state: AccountState): void {
    this.views.set(state.account, Promise.resolve(state));
    this.loaded.set(state.account, state);
    this.see(state.account, state.version);
  }

  private see(account: string, version: number): void {
    if (version > (this.seen.get(account) ?? 0)) this.seen.set(account, version);
  }

  private reload(account: string): Promise<AccountState> {
    this.forget(account);
    return this.state(account);
  }

  private state(account: string): Promise<AccountState> {
    let state = this.views.get(account);
    if (!state) {
      const loading = this.load(account).then((loadedState) => {
        if (this.views.get(account) === loading) {
          // Another process's commit seen while this load ran, and newer than what it read.
          if ((this.seen.get(account) ?? 0) > loadedState.version) this.views.delete(account);
          else this.loaded.set(account, loadedState);
          this.see(account, loadedState.version);
        }
        return loadedState;
      });
      state = loading;
      this.views.set(account, loading);
      loading.catch(() => {
        if (this.views.get(account) === loading) this.views.delete(account);
      });
    }
    return state;
  }

  /** One snapshot of the account's rows and version. */
  private load(account: string): Promise<AccountState> {
    const transaction =
      this.engine === 'postgres'
        ? this.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only')
        : this.db.transaction();
    return transaction.execute((trx) => readAccount(trx, account));
  }

  private async fresh(): Promise<void> {
    // Another node's commit is announced at once on PostgreSQL (a notification on the `media`
    // counter); the freshness window is the fallback, and SQLite's only means.
    const notices = changeNotices(this.db, 'media');
    if (notices === this.notices && Date.now() - this.checkedAt < FRESHNESS_MS) return;
    this.notices = notices;
    this.checking ??= this.readVersions().finally(() => {
      this.checking = undefined;
    });
    await this.checking;
  }

  /**
   * The counter alone first (one row: nothing moved, nothing more to read); when it moved, the
   * counter again with every account's version, in one snapshot, and the views behind theirs
   * are dropped.
   */
  private async readVersions(): Promise<void> {
    if ((await mediaCounter(this.db)) !== this.knownCounter) {
      const { counter, versions } = await accountVersions(this.db);
      let sum = 0;
      for (const [account, version] of versions) {
        this.see(account, version);
        sum += version;
      }
      // Every commit here moves one account's version with the counter: a lead that changed
      // means entities changed without that (an account deleted, an older release), anywhere.
      if (this.lead !== undefined && counter - sum !== this.lead) this.forget();
      this.lead = counter - sum;
      for (const [account, state] of this.loaded) {
        if ((versions.get(account) ?? 0) > state.version) this.forget(account);
      }
      this.knownCounter = counter;
    }
    this.checkedAt = Date.now();
  }
}
