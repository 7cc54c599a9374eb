import type { Selectable } from 'kysely';
import { nowSeconds } from '../../clock.js';
import { TesseraError, isGuid } from '../../errors.js';
import { ResourceGroups } from '../../management/resourceGroups.js';
import {
  normalizeLocation,
  parseTags,
  resourceId,
  resourceNotFound,
} from '../../management/resourceFields.js';
import { recordChange } from '../../store/changes.js';
import type { Store } from '../../store/database.js';
import type { UserAssignedIdentityTable } from '../../store/schema.js';
import { USER_ASSIGNED_IDENTITY_TYPE } from '../model.js';
import type { UserAssignedIdentity } from '../model.js';
import { insertIdentityPrincipal } from './identityPrincipals.js';

export interface UserAssignedIdentityInput {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
}

// Microsoft.ManagedIdentity's rule: 3-128 letters, digits, hyphens and underscores, starting
// with a letter or a digit.
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/;

const toIdentity = (row: Selectable<UserAssignedIdentityTable>): UserAssignedIdentity => ({
  id: resourceId(row.subscription_id, row.resource_group, USER_ASSIGNED_IDENTITY_TYPE, row.name),
  subscriptionId: row.subscription_id,
  resourceGroup: row.resource_group,
  name: row.name,
  location: row.location,
  tags: parseTags(row.tags),
  tenantId: row.tenant_id,
  principalId: row.principal_id,
  clientId: row.client_id,
  createdAt: Number(row.created_at),
});

/** The ARM id's parts, compared the way ARM compares them (case-insensitively). */
export function parseUserAssignedIdentityId(
  id: string,
): { subscriptionId: string; resourceGroup: string; name: string } | undefined {
  const match =
    /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.managedidentity\/userassignedidentities\/([^/]+)\/?$/i.exec(
      id.trim(),
    );
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { subscriptionId: match[1].toLowerCase(), resourceGroup: match[2], name: match[3] };
}

/** User-assigned identities: resources of a resource group, each with its service principal. */
export class UserAssignedIdentities {
  private readonly groups: ResourceGroups;

  constructor(private readonly db: Store) {
    this.groups = new ResourceGroups(db);
  }

  async find(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
  ): Promise<UserAssignedIdentity | undefined> {
    const row = await this.db
      .selectFrom('user_assigned_identities')
      .selectAll()
      .where('subscription_id', '=', subscriptionId.toLowerCase())
      .where('resource_group_lower', '=', resourceGroup.toLowerCase())
      .where('name_lower', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toIdentity(row);
  }

  async get(subscriptionId: string, resourceGroup: string, name: string): Promise<UserAssignedIdentity> {
    const found = await this.find(subscriptionId, resourceGroup, name);
    if (!found) throw resourceNotFound(USER_ASSIGNED_IDENTITY_TYPE, name, resourceGroup);
    return found;
  }

  /** By ARM id, client id or principal id, within one tenant. */
  async findByReference(tenantId: string, reference: string): Promise<UserAssignedIdentity | undefined> {
    const parsed = parseUserAssignedIdentityId(reference);
    if (parsed) {
      const found = await this.find(parsed.subscriptionId, parsed.resourceGroup, parsed.name);
      return found?.tenantId === tenantId ? found : undefined;
    }
    if (!isGuid(reference)) return undefined;
    const key = reference.toLowerCase();
    const row = await this.db
      .selectFrom('user_assigned_identities')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('client_id', '=', key), eb('principal_id', '=', key)]))
      .executeTakeFirst();
    return row && toIdentity(row);
  }

  async list(at: { subscriptionId: string; resourceGroup?: string }): Promise<UserAssignedIdentity[]> {
    let query = this.db
      .selectFrom('user_assigned_identities')
      .selectAll()
      .where('subscription_id', '=', at.subscriptionId.toLowerCase());
    if (at.resourceGroup !== undefined) {
      query = query.where('resource_group_lower', '=', at.resourceGroup.toLowerCase());
    }
    const rows = await query.orderBy('resource_group_lower').orderBy('name_lower').execute();
    return rows.map(toIdentity);
  }

  /** PUT semantics: creates the identity (and its principal), or replaces the tags of an existing one. */
  async createOrUpdate(
    input: UserAssignedIdentityInput,
  ): Promise<{ identity: UserAssignedIdentity; created: boolean }> {
    if (!NAME.test(input.name)) {
      throw new TesseraError(
        'InvalidResourceName',
        `Resource name '${input.name}' is invalid. The name can be between 3 and 128 characters long and can contain only letters, numbers, hyphens and underscores; it must start with a letter or a number.`,
      );
    }
    const group = await this.groups.get(input.subscriptionId, input.resourceGroup);
    const location = normalizeLocation(input.location);
    const tags = JSON.stringify(input.tags ?? {});
    const existing = await this.find(group.subscriptionId, group.name, input.name);
    if (existing) {
      if (existing.location !== location) {
        throw new TesseraError(
          'InvalidResourceLocation',
          `The resource '${existing.name}' already exists in location '${existing.location}' in resource group '${existing.resourceGroup}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
        );
      }
      await this.db
        .updateTable('user_assigned_identities')
        .set({ tags })
        .where('principal_id', '=', existing.principalId)
        .execute();
      return { identity: { ...existing, tags: input.tags ?? {} }, created: false };
    }
    const subscription = await this.db
      .selectFrom('subscriptions')
      .select('tenant_id')
      .where('id', '=', group.subscriptionId)
      .executeTakeFirstOrThrow();
    const createdAt = nowSeconds();
    const row = await recordChange(this.db, 'directory', async (trx) => {
      const principal = await insertIdentityPrincipal(trx, subscription.tenant_id, input.name, createdAt);
      const values = {
        subscription_id: group.subscriptionId,
        resource_group: group.name,
        resource_group_lower: group.name.toLowerCase(),
        name: input.name,
        name_lower: input.name.toLowerCase(),
        location,
        tags,
        tenant_id: subscription.tenant_id,
        principal_id: principal.principalId,
        client_id: principal.clientId,
        created_at: createdAt,
      };
      await trx.insertInto('user_assigned_identities').values(values).execute();
      return values;
    });
    return { identity: toIdentity(row), created: true };
  }

  /** Removes the identity; its principal, host attachments and memberships go with it. */
  async delete(subscriptionId: string, resourceGroup: string, name: string): Promise<boolean> {
    const existing = await this.find(subscriptionId, resourceGroup, name);
    if (!existing) return false;
    await recordChange(this.db, 'directory', (trx) =>
      trx.deleteFrom('user_assigned_identities').where('principal_id', '=', existing.principalId).execute(),
    );
    return true;
  }
}
