import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import { changeAccess } from '../access/changes.js';
import { nowSeconds } from '../clock.js';
import { TesseraError } from '../errors.js';
import { parseList } from '../directory/json.js';
import type { Store } from '../store/database.js';
import type { MediaServiceTable } from '../store/schema.js';
import { removeAccessAtAndBelow } from './accessCleanup.js';
import {
  inResourceGroup,
  normalizeLocation,
  parseTags,
  resourceId,
  resourceNotFound,
} from './resourceFields.js';
import type { ResourcePorts } from './resourcePorts.js';
import { ResourceGroups } from './resourceGroups.js';

export const MEDIA_SERVICES_TYPE = 'Microsoft.Media/mediaservices';

export interface StorageAccountReference {
  id: string;
  type: string;
}

export interface MediaServicesAccount {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  /** The account's GUID: Media Services v2 names the account by it in tokens and URLs. */
  mediaServiceId: string;
  storageAccounts: StorageAccountReference[];
  createdAt: number;
  /** Signs the account's SAS locators, as a storage account key does; never leaves the server. */
  storageKey: string;
  /** The port that makes the account an origin of its own; null until a server assigns one. */
  port: number | null;
}

export interface MediaServicesInput {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
  storageAccounts?: StorageAccountReference[];
}

// Azure's rule: 3-24 lower-case letters and digits.
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

const toAccount = (row: Selectable<MediaServiceTable>): MediaServicesAccount => ({
  id: resourceId(row.subscription_id, row.resource_group, MEDIA_SERVICES_TYPE, row.name),
  name: row.name,
  subscriptionId: row.subscription_id,
  resourceGroup: row.resource_group,
  location: row.location,
  tags: parseTags(row.tags),
  mediaServiceId: row.media_service_id,
  storageAccounts: parseList<StorageAccountReference>(row.storage_accounts),
  createdAt: Number(row.created_at),
  storageKey: row.storage_key,
  port: row.port === null ? null : Number(row.port),
});

/** Media Services accounts (the control plane); the v2 REST API serves their contents. */
export class MediaServices {
  private readonly groups: ResourceGroups;

  constructor(
    private readonly db: Store,
    private readonly ports: ResourcePorts,
  ) {
    this.groups = new ResourceGroups(db);
  }

  async createOrUpdate(
    input: MediaServicesInput,
  ): Promise<{ account: MediaServicesAccount; created: boolean }> {
    if (!ACCOUNT_NAME.test(input.name)) {
      throw new TesseraError(
        'InvalidResourceName',
        `The resource name '${input.name}' is invalid. Media Services account names must be 3 to 24 characters long and contain only lowercase letters and numbers.`,
      );
    }
    const group = await this.groups.get(input.subscriptionId, input.resourceGroup);
    const location = normalizeLocation(input.location);
    const existing = await this.findByName(input.name);
    if (
      existing &&
      (existing.subscriptionId !== group.subscriptionId || existing.resourceGroup !== group.name)
    ) {
      throw new TesseraError(
        'NameUnavailable',
        `The Media Services account name '${input.name}' is already in use.`,
      );
    }
    if (existing && existing.location !== location) {
      throw new TesseraError(
        'InvalidResourceLocation',
        `The resource '${existing.name}' already exists in location '${existing.location}' in resource group '${group.name}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
      );
    }
    const values = {
      location,
      tags: JSON.stringify(input.tags ?? existing?.tags ?? {}),
      storage_accounts: JSON.stringify(input.storageAccounts ?? existing?.storageAccounts ?? []),
    };
    if (existing) {
      await this.db.updateTable('media_services').set(values).where('name', '=', existing.name).execute();
      return { account: { ...existing, ...toAccountValues(values) }, created: false };
    }
    const row = {
      ...values,
      name: input.name,
      subscription_id: group.subscriptionId,
      resource_group: group.name,
      resource_group_lower: group.name.toLowerCase(),
      media_service_id: randomUUID(),
      created_at: nowSeconds(),
      storage_key: randomBytes(32).toString('hex'),
      port: await this.ports.allocate(),
    };
    await this.db.insertInto('media_services').values(row).execute();
    await this.ports.changed();
    return { account: toAccount(row), created: true };
  }

  async find(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
  ): Promise<MediaServicesAccount | undefined> {
    return inResourceGroup(await this.findByName(name), subscriptionId, resourceGroup);
  }

  async get(subscriptionId: string, resourceGroup: string, name: string): Promise<MediaServicesAccount> {
    const account = await this.find(subscriptionId, resourceGroup, name);
    if (!account) throw resourceNotFound(MEDIA_SERVICES_TYPE, name, resourceGroup);
    return account;
  }

  /** By name alone, as the v2 REST API finds an account from its endpoint. */
  async findByName(name: string): Promise<MediaServicesAccount | undefined> {
    const row = await this.db
      .selectFrom('media_services')
      .selectAll()
      .where('name', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async list(filter: { subscriptionId: string; resourceGroup?: string }): Promise<MediaServicesAccount[]> {
    let query = this.db
      .selectFrom('media_services')
      .selectAll()
      .where('subscription_id', '=', filter.subscriptionId.toLowerCase());
    if (filter.resourceGroup !== undefined) {
      query = query.where('resource_group_lower', '=', filter.resourceGroup.toLowerCase());
    }
    const rows = await query.orderBy('name').execute();
    return rows.map(toAccount);
  }

  /** Deletes the account and the role assignments made on it. */
  async delete(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
  ): Promise<MediaServicesAccount | undefined> {
    const account = await this.find(subscriptionId, resourceGroup, name);
    if (!account) return undefined;
    await changeAccess(this.db, async (trx) => {
      await removeAccessAtAndBelow(trx, account.id);
      await trx.deleteFrom('media_services').where('name', '=', account.name).execute();
      // The account's entities went with it (cascade): the data plane's in-memory views must go too.
      await trx
        .updateTable('change_counters')
        .set({ version: sql`version + 1` })
        .where('name', '=', 'media')
        .execute();
    });
    await this.ports.changed();
    return account;
  }
}

const toAccountValues = (values: { location: string; tags: string; storage_accounts: string }) => ({
  location: values.location,
  tags: parseTags(values.tags),
  storageAccounts: parseList<StorageAccountReference>(values.storage_accounts),
});
