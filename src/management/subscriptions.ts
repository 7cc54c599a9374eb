import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowSeconds } from '../clock.js';
import { ChangeWatcher, recordChange } from '../store/changes.js';
import type { Store } from '../store/database.js';
import { ReadCache } from '../store/readCache.js';
import type { SubscriptionTable } from '../store/schema.js';
import { ResourceGroups } from './resourceGroups.js';
import type { ResourceGroup } from './resourceGroups.js';

export type { ResourceGroup } from './resourceGroups.js';

export interface Subscription {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state: 'Enabled' | 'Disabled';
  createdAt: number;
}

const toSubscription = (r: Selectable<SubscriptionTable>): Subscription => ({
  subscriptionId: r.id,
  tenantId: r.tenant_id,
  displayName: r.display_name,
  state: r.state === 'Disabled' ? 'Disabled' : 'Enabled',
  createdAt: Number(r.created_at),
});

export class Subscriptions {
  private readonly groups: ResourceGroups;
  // Every management request resolves its subscription (to find the tenant that owns it).
  private readonly reads: ReadCache;

  constructor(private readonly db: Store) {
    this.groups = new ResourceGroups(db);
    this.reads = new ReadCache(new ChangeWatcher(db, 'directory'));
  }

  async create(tenantId: string, displayName: string): Promise<Subscription> {
    const row = {
      id: randomUUID(),
      tenant_id: tenantId,
      display_name: displayName,
      state: 'Enabled',
      created_at: nowSeconds(),
    };
    await recordChange(this.db, 'directory', (trx) => trx.insertInto('subscriptions').values(row).execute());
    return toSubscription(row);
  }

  async list(tenantId: string): Promise<Subscription[]> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map(toSubscription);
  }

  /**
   * Any tenant's subscription: ARM tells "not found" apart from "another tenant's". Every
   * management request naming a subscription asks: the read cache answers until the directory
   * area changes (at once for this process's writes, within a second for others', see
   * store/changes.ts), and hands out the same object until then.
   */
  find(subscriptionId: string): Promise<Subscription | undefined> {
    const key = subscriptionId.toLowerCase();
    // The id alone is the key (this cache holds nothing else): a prefixed key would be a new
    // concatenated string to flatten and hash on every request.
    return this.reads.get(key, async () => {
      const row = await this.db
        .selectFrom('subscriptions')
        .selectAll()
        .where('id', '=', key)
        .executeTakeFirst();
      return row && toSubscription(row);
    });
  }

  /** Kept for the bootstrap and existing callers; resource groups live in ResourceGroups. */
  async createResourceGroup(input: {
    subscriptionId: string;
    name: string;
    location: string;
    tags?: Record<string, string>;
  }): Promise<ResourceGroup> {
    return (await this.groups.createOrUpdate(input)).group;
  }
}
