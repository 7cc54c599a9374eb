import type { Selectable } from 'kysely';
import { changeAccess } from '../access/changes.js';
import { nowSeconds } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Store } from '../store/database.js';
import type { KeySealing } from '../store/keyEncryption.js';
import type { ConfigurationStoreTable } from '../store/schema.js';
import { removeAccessAtAndBelow } from './accessCleanup.js';
import { ConfigurationStoreKeys } from './configurationStoreKeys.js';
import {
  inResourceGroup,
  normalizeLocation,
  parseTags,
  resourceId,
  resourceNotFound,
} from './resourceFields.js';
import { ResourceGroups } from './resourceGroups.js';
import type { ResourcePorts } from './resourcePorts.js';

export const CONFIGURATION_STORE_TYPE = 'Microsoft.AppConfiguration/configurationStores';

export type ConfigurationStoreSku = 'free' | 'developer' | 'standard' | 'premium';
export const configurationStoreSkus: readonly ConfigurationStoreSku[] = [
  'free',
  'developer',
  'standard',
  'premium',
];

export interface ConfigurationStore {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  sku: ConfigurationStoreSku;
  tags: Record<string, string>;
  disableLocalAuth: boolean;
  publicNetworkAccess: 'Enabled' | 'Disabled' | null;
  softDeleteRetentionInDays: number;
  enablePurgeProtection: boolean;
  createdAt: number;
  /** The port that makes the store an origin of its own; null until a server assigns one. */
  port: number | null;
}

export interface ConfigurationStoreInput {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  sku: string;
  tags?: Record<string, string>;
  disableLocalAuth?: boolean;
  publicNetworkAccess?: 'Enabled' | 'Disabled' | null;
  softDeleteRetentionInDays?: number;
  enablePurgeProtection?: boolean;
}

// Azure's rule: 5-50 letters, digits and hyphens; no leading, trailing or doubled hyphen.
const STORE_NAME = /^(?!-)(?!.*--)[A-Za-z0-9-]{5,50}(?<!-)$/;

const toStore = (row: Selectable<ConfigurationStoreTable>): ConfigurationStore => ({
  id: resourceId(row.subscription_id, row.resource_group, CONFIGURATION_STORE_TYPE, row.name),
  name: row.name,
  subscriptionId: row.subscription_id,
  resourceGroup: row.resource_group,
  location: row.location,
  sku: configurationStoreSkus.find((s) => s === row.sku) ?? 'standard',
  tags: parseTags(row.tags),
  disableLocalAuth: row.disable_local_auth === 1,
  publicNetworkAccess:
    row.public_network_access === 'Enabled' || row.public_network_access === 'Disabled'
      ? row.public_network_access
      : null,
  softDeleteRetentionInDays: row.soft_delete_retention_days,
  enablePurgeProtection: row.enable_purge_protection === 1,
  createdAt: Number(row.created_at),
  port: row.port === null ? null : Number(row.port),
});

function checkInput(input: ConfigurationStoreInput): ConfigurationStoreSku {
  if (!STORE_NAME.test(input.name)) {
    throw new TesseraError(
      'InvalidResourceName',
      `The resource name '${input.name}' is invalid. The name must be between 5 and 50 characters long and may contain only letters, digits and hyphens, and it cannot start or end with a hyphen or contain consecutive hyphens.`,
    );
  }
  const sku = configurationStoreSkus.find((s) => s === input.sku.toLowerCase());
  if (!sku) {
    throw new TesseraError(
      'InvalidSku',
      `The SKU '${input.sku}' is invalid. The supported SKUs are 'Free', 'Developer', 'Standard' and 'Premium'.`,
    );
  }
  const days = input.softDeleteRetentionInDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 7)) {
    throw new TesseraError('InvalidSoftDeleteRetention', 'softDeleteRetentionInDays must be from 1 to 7.');
  }
  return sku;
}

/** App Configuration stores (the control plane); their data lives with the data-plane service. */
export class ConfigurationStores {
  readonly keys: ConfigurationStoreKeys;
  private readonly groups: ResourceGroups;

  constructor(
    private readonly db: Store,
    private readonly ports: ResourcePorts,
    sealing: KeySealing,
  ) {
    this.keys = new ConfigurationStoreKeys(db, sealing);
    this.groups = new ResourceGroups(db);
  }

  /** PUT semantics: the name is global (a DNS label), so a name used elsewhere is a conflict. */
  async createOrUpdate(
    input: ConfigurationStoreInput,
  ): Promise<{ store: ConfigurationStore; created: boolean }> {
    const sku = checkInput(input);
    const group = await this.groups.get(input.subscriptionId, input.resourceGroup);
    const location = normalizeLocation(input.location);
    const existing = await this.findByName(input.name);
    if (
      existing &&
      (existing.subscriptionId !== group.subscriptionId || existing.resourceGroup !== group.name)
    ) {
      throw new TesseraError('NameUnavailable', `The specified name '${input.name}' is already in use.`);
    }
    if (existing && existing.location !== location) {
      throw new TesseraError(
        'InvalidResourceLocation',
        `The resource '${existing.name}' already exists in location '${existing.location}' in resource group '${group.name}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
      );
    }
    const values = {
      location,
      sku,
      tags: JSON.stringify(input.tags ?? existing?.tags ?? {}),
      disable_local_auth: (input.disableLocalAuth ?? existing?.disableLocalAuth ?? false) ? 1 : 0,
      public_network_access:
        input.publicNetworkAccess !== undefined
          ? input.publicNetworkAccess
          : (existing?.publicNetworkAccess ?? null),
      // Free stores have no soft delete; the others keep deleted stores 7 days unless told otherwise.
      soft_delete_retention_days:
        sku === 'free' ? 0 : (input.softDeleteRetentionInDays ?? (existing?.softDeleteRetentionInDays || 7)),
      enable_purge_protection:
        sku !== 'free' && (input.enablePurgeProtection ?? existing?.enablePurgeProtection) ? 1 : 0,
    };
    if (existing) {
      await this.db
        .updateTable('configuration_stores')
        .set(values)
        .where('name_lower', '=', existing.name.toLowerCase())
        .execute();
      return { store: await this.getByName(existing.name), created: false };
    }
    const row = {
      ...values,
      name: input.name,
      name_lower: input.name.toLowerCase(),
      subscription_id: group.subscriptionId,
      resource_group: group.name,
      resource_group_lower: group.name.toLowerCase(),
      created_at: nowSeconds(),
      port: await this.ports.allocate(),
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('configuration_stores').values(row).execute();
      await this.keys.issue(trx, row.name_lower);
    });
    await this.ports.changed();
    return { store: toStore(row), created: true };
  }

  async find(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
  ): Promise<ConfigurationStore | undefined> {
    return inResourceGroup(await this.findByName(name), subscriptionId, resourceGroup);
  }

  async get(subscriptionId: string, resourceGroup: string, name: string): Promise<ConfigurationStore> {
    const store = await this.find(subscriptionId, resourceGroup, name);
    if (!store) throw resourceNotFound(CONFIGURATION_STORE_TYPE, name, resourceGroup);
    return store;
  }

  /** By name alone, as the data plane finds a store from its endpoint. */
  async findByName(name: string): Promise<ConfigurationStore | undefined> {
    const row = await this.db
      .selectFrom('configuration_stores')
      .selectAll()
      .where('name_lower', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toStore(row);
  }

  async list(filter: { subscriptionId: string; resourceGroup?: string }): Promise<ConfigurationStore[]> {
    let query = this.db
      .selectFrom('configuration_stores')
      .selectAll()
      .where('subscription_id', '=', filter.subscriptionId.toLowerCase());
    if (filter.resourceGroup !== undefined) {
      query = query.where('resource_group_lower', '=', filter.resourceGroup.toLowerCase());
    }
    const rows = await query.orderBy('name_lower').execute();
    return rows.map(toStore);
  }

  /** Deletes the store, its keys and the role assignments made on it. */
  async delete(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
  ): Promise<ConfigurationStore | undefined> {
    const store = await this.find(subscriptionId, resourceGroup, name);
    if (!store) return undefined;
    await changeAccess(this.db, async (trx) => {
      await removeAccessAtAndBelow(trx, store.id);
      await trx
        .deleteFrom('configuration_stores')
        .where('name_lower', '=', store.name.toLowerCase())
        .execute();
    });
    await this.ports.changed();
    return store;
  }

  private async getByName(name: string): Promise<ConfigurationStore> {
    const store = await this.findByName(name);
    if (!store) throw new Error(`configuration store ${name} vanished during an update`);
    return store;
  }
}
