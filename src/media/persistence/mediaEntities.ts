import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import type { EntityRecord } from '../odata/edm.js';
import { AccountState } from './accountView.js';
import type { AccountView, Link } from './accountView.js';

/** How long a process trusts its views before asking whether another process wrote. */
const FRESHNESS_MS = 100;

type Change =
  | { kind: 'put'; set: string; id: string; record: EntityRecord; created: boolean }
  | { kind: 'remove'; set: string; id: string }
  | { kind: 'link'; link: Link }
  | { kind: 'unlink'; link: Link };

/**
 * A unit of work on one account: reads see the committed state plus the work's own changes;
 * nothing is visible to anyone else until `MediaEntities.write` commits it.
 */
export class AccountWriter implements AccountView {
  readonly changes: Change[] = [];
  private readonly overlay = new Map<string, Map<string, EntityRecord | null>>();
  private readonly linkOverlay: { added: Link[]; removed: Link[] } = { added: [], removed: [] };

  constructor(private readonly base: AccountState) {}

  get account(): string {
    return this.base.account;
  }

  list(set: string): readonly EntityRecord[] {
    const changed = this.overlay.get(set);
    if (!changed) return this.base.list(set);
    const result: EntityRecord[] = [];
    for (const record of this.base.list(set)) {
      const id = record.Id as string;
      const replaced = changed.get(id);
      if (replaced === undefined) result.push(record);
      else if (replaced !== null) result.push(replaced);
    }
    for (const [id, record] of changed) {
      if (record !== null && this.base.get(set, id) === undefined) result.push(record);
    }
    return result;
  }

  get(set: string, id: string): EntityRecord | undefined {
    const changed = this.overlay.get(set)?.get(id);
    if (changed === null) return undefined;
    return changed ?? this.base.get(set, id);
  }

  targets(sourceSet: string, sourceId: string, navigation: string): readonly Link[] {
    const matches = (l: Link) =>
      l.sourceSet === sourceSet && l.sourceId === sourceId && l.navigation === navigation;
    return this.withOverlay(this.base.targets(sourceSet, sourceId, navigation), matches);
  }

  linksTo(targetSet: string, targetId: string): readonly Link[] {
    const matches = (l: Link) => l.targetSet === targetSet && l.targetId === targetId;
    return this.withOverlay(this.base.linksTo(targetSet, targetId), matches);
  }

  private withOverlay(base: readonly Link[], matches: (l: Link) => boolean): readonly Link[] {
    const { added, removed } = this.linkOverlay;
    if (added.length === 0 && removed.length === 0) return base;
    return [...base, ...added.filter(matches)].filter((l) => !removed.some((r) => sameLink(l, r)));
  }

  insert(set: string, record: EntityRecord): void {
    this.stage(set, record, true);
  }

  update(set: string, record: EntityRecord): void {
    this.stage(set, record, false);
  }

  private stage(set: string, record: EntityRecord, created: boolean): void {
    const id = record.Id as string;
    let changed = this.overlay.get(set);
    if (!changed) this.overlay.set(set, (changed = new Map()));
    changed.set(id, record);
    this.changes.push({ kind: 'put', set, id, record, created });
  }

  remove(set: string, id: string): void {
    let changed = this.overlay.get(set);
    if (!changed) this.overlay.set(set, (changed = new Map()));
    changed.set(id, null);
    this.changes.push({ kind: 'remove', set, id });
  }

  link(link: Link): void {
    if (this.targets(link.sourceSet, link.sourceId, link.navigation).some((l) => sameLink(l, link))) return;
    this.linkOverlay.added.push(link);
    this.linkOverlay.removed = this.linkOverlay.removed.filter((l) => !sameLink(l, link));
    this.changes.push({ kind: 'link', link });
  }

  unlink(link: Link): void {
    this.linkOverlay.removed.push(link);
    this.linkOverlay.added = this.linkOverlay.added.filter((l) => !sameLink(l, link));
    this.changes.push({ kind: 'unlink', link });
  }
}

const sameLink = (a: Link, b: Link) =>
  a.sourceSet === b.sourceSet &&
  a.sourceId === b.sourceId &&
  a.navigation === b.navigation &&
  a.targetSet === b.targetSet &&
  a.targetId === b.targetId;

/**
 * Every account's entities, read from memory and written through to the store. A process's own
 * writes update its views as they commit (job progress writes often; reloading 10,000 assets each
 * time would not do); a write made by another process (the CLI, another node) moves the `media`
 * change counter, and the views are dropped within 100 ms, when the counter is next read.
 * Writes are serialised per process so that views and counter move together.
 */
export class MediaEntities {
  private readonly accounts = new Map<string, Promise<AccountState>>();
  private knownVersion = -1;
  private checkedAt = -Infinity;
  private checking?: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Store) {}

  /** The committed state of an account (loaded once, then kept). */
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
  write<T>(account: string, work: (writer: AccountWriter) => T | Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await this.fresh();
      const state = await this.state(account);
      const writer = new AccountWriter(state);
      const result = await work(writer);
      if (writer.changes.length > 0) await this.commit(state, writer.changes);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The store's media change counter (read at most every 100 ms): it moves with every write,
   * this process's or another's, so a poller can tell cheaply whether anything changed.
   */
  async version(): Promise<number> {
    await this.fresh();
    return this.knownVersion;
  }

  /** Drops every view: the next read loads from the store. */
  forget(account?: string): void {
    if (account === undefined) this.accounts.clear();
    else this.accounts.delete(account);
  }

  private state(account: string): Promise<AccountState> {
    let state = this.accounts.get(account);
    if (!state) {
      state = this.load(account);
      this.accounts.set(account, state);
      state.catch(() => this.accounts.delete(account));
    }
    return state;
  }

  private async load(account: string): Promise<AccountState> {
    const state = new AccountState(account);
    const [entities, links] = await Promise.all([
      this.db
        .selectFrom('media_entities')
        .select(['entity_set', 'id', 'body'])
        .where('account', '=', account)
        .orderBy('seq')
        .execute(),
      this.db
        .selectFrom('media_links')
        .select(['source_set', 'source_id', 'navigation', 'target_set', 'target_id'])
        .where('account', '=', account)
        .orderBy('seq')
        .execute(),
    ]);
    for (const row of entities) state.put(row.entity_set, row.id, JSON.parse(row.body) as EntityRecord);
    for (const row of links) {
      state.addLink({
        sourceSet: row.source_set,
        sourceId: row.source_id,
        navigation: row.navigation,
        targetSet: row.target_set,
        targetId: row.target_id,
      });
    }
    return state;
  }

  private async commit(state: AccountState, changes: readonly Change[]): Promise<void> {
    const account = state.account;
    let version: number;
    try {
      version = await this.db.transaction().execute(async (trx) => {
        for (const change of changes) {
          switch (change.kind) {
            case 'put': {
              const body = JSON.stringify(change.record);
              if (change.created) {
                await trx
                  .insertInto('media_entities')
                  .values({ account, entity_set: change.set, id: change.id, body })
                  .execute();
              } else {
                await trx
                  .updateTable('media_entities')
                  .set({ body })
                  .where('account', '=', account)
                  .where('entity_set', '=', change.set)
                  .where('id', '=', change.id)
                  .execute();
              }
              break;
            }
            case 'remove':
              await trx
                .deleteFrom('media_entities')
                .where('account', '=', account)
                .where('entity_set', '=', change.set)
                .where('id', '=', change.id)
                .execute();
              break;
            case 'link':
              await trx
                .insertInto('media_links')
                .values({
                  account,
                  source_set: change.link.sourceSet,
                  source_id: change.link.sourceId,
                  navigation: change.link.navigation,
                  target_set: change.link.targetSet,
                  target_id: change.link.targetId,
                })
                .onConflict((c) => c.doNothing())
                .execute();
              break;
            case 'unlink':
              await trx
                .deleteFrom('media_links')
                .where('account', '=', account)
                .where('source_set', '=', change.link.sourceSet)
                .where('source_id', '=', change.link.sourceId)
                .where('navigation', '=', change.link.navigation)
                .where('target_id', '=', change.link.targetId)
                .execute();
              break;
          }
        }
        const row = await trx
          .updateTable('change_counters')
          .set({ version: sql`version + 1` })
          .where('name', '=', 'media')
          .returning('version')
          .executeTakeFirstOrThrow();
        return Number(row.version);
      });
    } catch (error) {
      // The store refused (a constraint, the disk): the view may no longer match it.
      this.forget(account);
      throw error;
    }
    for (const change of changes) {
      if (change.kind === 'put') state.put(change.set, change.id, change.record);
      else if (change.kind === 'remove') state.remove(change.set, change.id);
      else if (change.kind === 'link') state.addLink(change.link);
      else state.removeLink(change.link);
    }
    // Only our own write since the last look: the views are current. Otherwise another process
    // wrote in between, and every view is suspect.
    if (version !== this.knownVersion + 1) this.accounts.clear();
    this.knownVersion = version;
    this.checkedAt = Date.now();
  }

  private async fresh(): Promise<void> {
    if (Date.now() - this.checkedAt < FRESHNESS_MS) return;
    this.checking ??= this.readVersion().finally(() => {
      this.checking = undefined;
    });
    await this.checking;
  }

  private async readVersion(): Promise<void> {
    const row = await this.db
      .selectFrom('change_counters')
      .select('version')
      .where('name', '=', 'media')
      .executeTakeFirst();
    const version = Number(row?.version ?? 0);
    if (version !== this.knownVersion) this.accounts.clear();
    this.knownVersion = version;
    this.checkedAt = Date.now();
  }
}
