import type { ChangeWatcher } from './changes.js';

/**
 * Read-through memo for hot lookups (token issuance reads the same client, resource and roles
 * on every request). Emptied whenever the watched area changes; bounded, because keys come
 * from requests and could be made up by anybody. Cached values are shared: never mutate them.
 */
export class ReadCache {
  private readonly entries = new Map<string, unknown>();
  private stamp?: string;

  constructor(
    private readonly watcher: ChangeWatcher,
    private readonly maxEntries = 20_000,
  ) {}

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const stamp = await this.watcher.stamp();
    if (stamp !== this.stamp) {
      this.entries.clear();
      this.stamp = stamp;
    }
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = await load();
    // A change that landed while loading makes the value suspect; the next call reloads it.
    if (stamp === this.stamp) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, value);
    }
    return value;
  }
}
