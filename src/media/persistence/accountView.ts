import type { EntityRecord } from '../odata/edm.js';

/** One many-to-many navigation: `source` (set, id) → `target` through `navigation`. */
export interface Link {
  sourceSet: string;
  sourceId: string;
  navigation: string;
  targetSet: string;
  targetId: string;
}

/** What a request reads of one account: every entity and link, in listing (insertion) order. */
export interface AccountView {
  readonly account: string;
  /** Insertion order. The array and its records are shared: never mutate them. */
  list(set: string): readonly EntityRecord[];
  get(set: string, id: string): EntityRecord | undefined;
  /** Targets of a many-to-many navigation, in link order. */
  targets(sourceSet: string, sourceId: string, navigation: string): readonly Link[];
  /** Links that point at an entity (to refuse or cascade a delete). */
  linksTo(targetSet: string, targetId: string): readonly Link[];
}

const linkKey = (set: string, id: string, navigation: string) => `${set}\u0000${id}\u0000${navigation}`;
const targetKey = (set: string, id: string) => `${set}\u0000${id}`;

/**
 * The committed state of one account, in memory. Sets keep their records in a Map (insertion
 * order = listing order; an update keeps its place); the listing array of a set is built when
 * first asked after a change.
 */
export class AccountState implements AccountView {
  private readonly sets = new Map<string, Map<string, EntityRecord>>();
  private readonly lists = new Map<string, readonly EntityRecord[]>();
  private readonly bySource = new Map<string, Link[]>();
  private readonly byTarget = new Map<string, Link[]>();
  /** The account's version (media_versions) these records are: the unit that commits next moves it on by one. */
  version = 0;

  constructor(readonly account: string) {}

  list(set: string): readonly EntityRecord[] {
    let list = this.lists.get(set);
    if (!list) {
      list = [...(this.sets.get(set)?.values() ?? [])];
      this.lists.set(set, list);
    }
    return list;
  }

  get(set: string, id: string): EntityRecord | undefined {
    return this.sets.get(set)?.get(id);
  }

  targets(sourceSet: string, sourceId: string, navigation: string): readonly Link[] {
    return this.bySource.get(linkKey(sourceSet, sourceId, navigation)) ?? [];
  }

  linksTo(targetSet: string, targetId: string): readonly Link[] {
    return this.byTarget.get(targetKey(targetSet, targetId)) ?? [];
  }

  put(set: string, id: string, record: EntityRecord): void {
    let records = this.sets.get(set);
    if (!records) this.sets.set(set, (records = new Map()));
    records.set(id, record);
    this.lists.delete(set);
  }

  remove(set: string, id: string): void {
    if (this.sets.get(set)?.delete(id)) this.lists.delete(set);
  }

  addLink(link: Link): void {
    push(this.bySource, linkKey(link.sourceSet, link.sourceId, link.navigation), link);
    push(this.byTarget, targetKey(link.targetSet, link.targetId), link);
  }

  removeLink(link: Link): void {
    const same = (l: Link) =>
      l.sourceSet === link.sourceSet &&
      l.sourceId === link.sourceId &&
      l.navigation === link.navigation &&
      l.targetId === link.targetId;
    pull(this.bySource, linkKey(link.sourceSet, link.sourceId, link.navigation), same);
    pull(this.byTarget, targetKey(link.targetSet, link.targetId), same);
  }
}

function push(map: Map<string, Link[]>, key: string, link: Link): void {
  const list = map.get(key);
  // Copy on write: views handed out earlier keep their arrays.
  map.set(key, list ? [...list, link] : [link]);
}

function pull(map: Map<string, Link[]>, key: string, same: (l: Link) => boolean): void {
  const list = map.get(key);
  if (!list) return;
  const kept = list.filter((l) => !same(l));
  if (kept.length > 0) map.set(key, kept);
  else map.delete(key);
}
