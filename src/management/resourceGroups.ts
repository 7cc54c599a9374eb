import type { Selectable } from 'kysely';
import { changeAccess } from '../access/changes.js';
import { nowSeconds } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Store } from '../store/database.js';
import type { ResourceGroupTable } from '../store/schema.js';
import { removeAccessAtAndBelow } from './accessCleanup.js';
import { normalizeLocation, parseTags } from './resourceFields.js';

export interface ResourceGroup {
  subscriptionId: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  createdAt: number;
}

export interface ResourceGroupInput {
  subscriptionId: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
}

export const resourceGroupScope = (subscriptionId: string, name: string): string =>
  `/subscriptions/${subscriptionId}/resourceGroups/${name}`;

const toGroup = (row: Selectable<ResourceGroupTable>): ResourceGroup => ({
  subscriptionId: row.subscription_id,
  name: row.name,
  location: row.location,
  tags: parseTags(row.tags),
  createdAt: Number(row.created_at),
});

// ARM's rule for resource group names: 1-90 of letters, digits, _ - . ( ), not ending in a period.
const GROUP_NAME = /^[-\w.()]{1,90}$/u;

export const resourceGroupNotFound = (name: string): TesseraError =>
  new TesseraError('ResourceGroupNotFound', `Resource group '${name}' could not be found.`);

/** Resource groups of a subscription; names compare case-insensitively and keep their first spelling. */
export class ResourceGroups {
  constructor(private readonly db: Store) {}

  async find(subscriptionId: string, name: string): Promise<ResourceGroup | undefined> {
    const row = await this.db
      .selectFrom('resource_groups')
      .selectAll()
      .where('subscription_id', '=', subscriptionId.toLowerCase())
      .where('name_lower', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toGroup(row);
  }

  async get(subscriptionId: string, name: string): Promise<ResourceGroup> {
    const group = await this.find(subscriptionId, name);
    if (!group) throw resourceGroupNotFound(name);
    return group;
  }

  async list(subscriptionId: string): Promise<ResourceGroup[]> {
    const rows = await this.db
      .selectFrom('resource_groups')
      .selectAll()
      .where('subscription_id', '=', subscriptionId.toLowerCase())
      .orderBy('name_lower')
      .execute();
    return rows.map(toGroup);
  }

  /** PUT semantics: creates, or replaces the tags of an existing group (its location is fixed). */
  async createOrUpdate(input: ResourceGroupInput): Promise<{ group: ResourceGroup; created: boolean }> {
    if (!GROUP_NAME.test(input.name) || input.name.endsWith('.')) {
      throw new TesseraError(
        'InvalidResourceGroupName',
        `Resource group name '${input.name}' is invalid. It can include alphanumeric, underscore, parentheses, hyphen, period (except at end), and Unicode characters that match the allowed characters.`,
      );
    }
    const location = normalizeLocation(input.location);
    const tags = JSON.stringify(input.tags ?? {});
    const subscriptionId = input.subscriptionId.toLowerCase();
    const existing = await this.find(subscriptionId, input.name);
    if (existing) {
      if (existing.location !== location) {
        throw new TesseraError(
          'InvalidResourceGroupLocation',
          `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`,
        );
      }
      await this.db
        .updateTable('resource_groups')
        .set({ tags })
        .where('subscription_id', '=', subscriptionId)
        .where('name_lower', '=', existing.name.toLowerCase())
        .execute();
      return { group: { ...existing, tags: input.tags ?? {} }, created: false };
    }
    const row = {
      subscription_id: subscriptionId,
      name: input.name,
      name_lower: input.name.toLowerCase(),
      location,
      tags,
      created_at: nowSeconds(),
    };
    await this.db.insertInto('resource_groups').values(row).execute();
    return { group: toGroup(row), created: true };
  }

  /**
   * Removes the group, every resource in it (foreign keys cascade) and every role and deny
   * assignment at or below it, so a group re-created with the same name starts with no access.
   */
  async delete(subscriptionId: string, name: string): Promise<ResourceGroup | undefined> {
    const group = await this.find(subscriptionId, name);
    if (!group) return undefined;
    await changeAccess(this.db, async (trx) => {
      await removeAccessAtAndBelow(trx, resourceGroupScope(group.subscriptionId, group.name));
      await trx
        .deleteFrom('resource_groups')
        .where('subscription_id', '=', group.subscriptionId)
        .where('name_lower', '=', group.name.toLowerCase())
        .execute();
    });
    return group;
  }
}
