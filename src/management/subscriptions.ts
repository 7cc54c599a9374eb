import { randomUUID } from 'node:crypto';
import { nowSeconds } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Store } from '../store/database.js';

export interface Subscription {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state: 'Enabled' | 'Disabled';
  createdAt: number;
}

export interface ResourceGroup {
  subscriptionId: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  createdAt: number;
}

export class Subscriptions {
  constructor(private readonly db: Store) {}

  async create(tenantId: string, displayName: string): Promise<Subscription> {
    const row = {
      id: randomUUID(),
      tenant_id: tenantId,
      display_name: displayName,
      state: 'Enabled',
      created_at: nowSeconds(),
    };
    await this.db.insertInto('subscriptions').values(row).execute();
    return { subscriptionId: row.id, tenantId, displayName, state: 'Enabled', createdAt: row.created_at };
  }

  async list(tenantId: string): Promise<Subscription[]> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      subscriptionId: r.id,
      tenantId: r.tenant_id,
      displayName: r.display_name,
      state: r.state === 'Disabled' ? 'Disabled' : 'Enabled',
      createdAt: Number(r.created_at),
    }));
  }

  async createResourceGroup(input: {
    subscriptionId: string;
    name: string;
    location: string;
    tags?: Record<string, string>;
  }): Promise<ResourceGroup> {
    // ARM's rule for resource group names.
    if (!/^[-\w._()]{1,90}$/u.test(input.name) || input.name.endsWith('.')) {
      throw new TesseraError('InvalidResourceGroupName', `Resource group name '${input.name}' is invalid.`);
    }
    const row = {
      subscription_id: input.subscriptionId,
      name: input.name,
      name_lower: input.name.toLowerCase(),
      location: input.location.toLowerCase().replace(/\s+/g, ''),
      tags: JSON.stringify(input.tags ?? {}),
      created_at: nowSeconds(),
    };
    await this.db.insertInto('resource_groups').values(row).execute();
    return {
      subscriptionId: row.subscription_id,
      name: row.name,
      location: row.location,
      tags: input.tags ?? {},
      createdAt: row.created_at,
    };
  }
}
