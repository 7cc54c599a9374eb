import { createHash } from 'node:crypto';
import type { ConfigurationStore, ConfigurationStores } from '../management/configurationStores.js';
import type { Subscriptions } from '../management/subscriptions.js';
import { StampedCache } from './persistence/dataStamp.js';

/** What the data plane needs to know about the store a request addresses. */
export interface DataPlaneStore {
  name: string;
  /** Store names are case-insensitive: the data tables are keyed by the lower-cased name. */
  nameLower: string;
  /** The store's ARM id: the scope data actions are evaluated at. */
  scope: string;
  /** The tenant of the store's subscription: the only issuer of tokens it accepts. */
  tenantId: string;
  disableLocalAuth: boolean;
  /** Sync-Token id: stable for the store, new for a store re-created under the same name. */
  syncTokenId: string;
  /** The port of the store's own origin; null until one is assigned. */
  port: number | null;
}

const syncTokenIdOf = (store: ConfigurationStore): string =>
  createHash('sha256')
    .update(`${store.name.toLowerCase()}:${store.createdAt}`)
    .digest('base64url')
    .slice(0, 8);

/**
 * Stores by name, kept while the database stamp stays the same: every data-plane request
 * resolves its store, and stores change rarely. Unknown names are remembered too (bounded).
 */
export class DataPlaneStores {
  private readonly cache = new StampedCache<DataPlaneStore | null>(10_000);

  constructor(
    private readonly services: { configurationStores: ConfigurationStores; subscriptions: Subscriptions },
  ) {}

  /** Without waiting: the store (null: no such store) when known under this stamp. */
  peek(name: string, stamp: string): DataPlaneStore | null | undefined {
    return this.cache.peek(stamp, name.toLowerCase());
  }

  async find(name: string, stamp: string): Promise<DataPlaneStore | undefined> {
    return (await this.cache.get(stamp, name.toLowerCase(), () => this.load(name))) ?? undefined;
  }

  private async load(name: string): Promise<DataPlaneStore | null> {
    const store = await this.services.configurationStores.findByName(name);
    if (!store) return null;
    const subscription = await this.services.subscriptions.find(store.subscriptionId);
    if (!subscription) return null;
    return {
      name: store.name,
      nameLower: store.name.toLowerCase(),
      scope: store.id,
      tenantId: subscription.tenantId.toLowerCase(),
      disableLocalAuth: store.disableLocalAuth,
      syncTokenId: syncTokenIdOf(store),
      port: store.port,
    };
  }
}
