import type { Store } from '../store/database.js';
import { accessChangeSignal } from '../store/changes.js';
import type { AccessDecision, AccessIndex } from './accessIndex.js';
import { journalHead, journalPrunedAfter, journalSince } from './accessJournal.js';
import { applyJournal, loadAccessIndex } from './indexRows.js';
import type { ConditionAttributes } from './conditions/conditionAttributes.js';
import type { OperationKind } from './permissions.js';

export interface AccessEngineOptions {
  /** How long a process trusts its index before asking the store whether anything changed. */
  freshnessMs?: number;
}

// Past this many changes at once (a subscription's deletion, a restore), reading them row by row
// costs more than reading everything.
const REPLAY_LIMIT = 2_000;

/**
 * `evaluate(principal, action, scope)`: Azure RBAC over an in-memory index, loaded once and then
 * kept current from the store's access journal (migration 0014), which triggers fill whoever
 * writes. Changes made through this process are replayed before its next check; changes by
 * another process (the CLI, another node) before the first check after the journal's notification
 * arrives (PostgreSQL), else within `freshnessMs`.
 */
export class AccessEngine {
  private index?: AccessIndex;
  private applied = 0;
  private localChanges = -1;
  private checkedAt = 0;
  private pending?: Promise<AccessIndex>;
  private readonly freshnessMs: number;

  constructor(
    private readonly db: Store,
    options: AccessEngineOptions = {},
  ) {
    this.freshnessMs = options.freshnessMs ?? 1000;
  }

  async evaluate(
    principalId: string,
    operation: string,
    scope: string,
    kind: OperationKind,
    attributes?: ConditionAttributes,
  ): Promise<AccessDecision> {
    return (await this.current()).evaluate(principalId, operation, scope, kind, attributes);
  }

  /**
   * The index; `maxAgeMs` asks the store again when the last look is older than that (one indexed
   * read), for callers that must honour a change made by another process on their next request.
   */
  async current(maxAgeMs?: number): Promise<AccessIndex> {
    // Moves on this process's own changes and on another's journal notification (PostgreSQL).
    const localChanges = accessChangeSignal(this.db);
    const window = Math.min(maxAgeMs ?? this.freshnessMs, this.freshnessMs);
    if (this.index && localChanges === this.localChanges && Date.now() - this.checkedAt < window) {
      return this.index;
    }
    this.pending ??= this.catchUp(localChanges).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async catchUp(localChanges: number): Promise<AccessIndex> {
    // Counted before reading: a change committed while we read is replayed next time, and
    // replaying an entry twice is harmless.
    const checkedAt = Date.now();
    let index = this.index;
    if (index) {
      const entries = await journalSince(this.db, this.applied, REPLAY_LIMIT + 1);
      const first = entries[0];
      const missed =
        entries.length > REPLAY_LIMIT ||
        (first !== undefined &&
          first.seq > this.applied + 1 &&
          (await journalPrunedAfter(this.db, this.applied)));
      if (missed) index = undefined;
      else if (first !== undefined) {
        await applyJournal(this.db, index, entries);
        this.applied = entries.at(-1)?.seq ?? this.applied;
      }
    }
    if (!index) {
      // The head first: whatever commits after it is replayed, even if the load already saw it.
      const head = await journalHead(this.db);
      index = await loadAccessIndex(this.db);
      this.applied = head;
    }
    this.index = index;
    this.localChanges = localChanges;
    this.checkedAt = checkedAt;
    return index;
  }
}
