import type { EntityRecord } from '../odata/edm.js';
import type { AccountState, AccountView, Link } from './accountView.js';
import type { Queryable } from './mediaTables.js';

export type Change =
  | { kind: 'put'; set: string; id: string; record: EntityRecord; created: boolean }
  | { kind: 'remove'; set: string; id: string }
  | { kind: 'link'; link: Link }
  | { kind: 'unlink'; link: Link };

/** SQL on other tables that must commit or fail with a unit (a task's lease with its state). */
export type CommitStep = (trx: Queryable) => Promise<void>;

/**
 * A unit of work on one account: reads see the committed state plus the work's own changes;
 * nothing is visible to anyone else until `MediaEntities.write` commits it.
 */
export class AccountWriter implements AccountView {
  readonly changes: Change[] = [];
  readonly steps: CommitStep[] = [];
  private readonly overlay = new Map<string, Map<string, EntityRecord | null>>();
  private readonly linkOverlay: { added: Link[]; removed: Link[] } = { added: [], removed: [] };

  constructor(private readonly base: AccountState) {}

  get account(): string {
    return this.base.account;
  }

  /** Nothing to commit. */
  get empty(): boolean {
    return this.changes.length === 0 && this.steps.length === 0;
  }

  /**
   * Runs `step` in the unit's transaction, before its entity changes are written; a step that
   * throws aborts the unit (nothing is written) and the write rejects with its error.
   */
  withinCommit(step: CommitStep): void {
    this.steps.push(step);
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
