import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DenyAssignments } from './access/denyAssignments.js';
import { AccessEngine } from './access/engine.js';
import { RoleAssignments } from './access/roleAssignments.js';
import { RoleDefinitions } from './access/roleDefinitionStore.js';
import { SignInServices } from './authority/signIn/signInServices.js';
import { SigningKeys } from './authority/tokens/signingKeys.js';
import { Directory } from './directory/directory.js';
import { DIRECTORY_ROLES } from './directory/directoryRoles.js';
import type { Tenant, User } from './directory/model.js';
import { ConfigurationStores } from './management/configurationStores.js';
import { MediaServices } from './management/mediaServices.js';
import { ResourceGroups } from './management/resourceGroups.js';
import { ResourcePorts } from './management/resourcePorts.js';
import { Subscriptions } from './management/subscriptions.js';
import type { ResourceGroup, Subscription } from './management/subscriptions.js';
import type { Store } from './store/database.js';
import { openStore } from './store/database.js';
import { KeyEncryption } from './store/keyEncryption.js';
import { withStartupLock } from './store/startupLock.js';
import type { StartupLockLocation } from './store/startupLock.js';

export interface Bootstrap {
  tenant: Tenant;
  subscription: Subscription;
  resourceGroup: ResourceGroup;
  /** Global Administrator and Owner of the subscription, so a person can sign in and grant access. */
  administrator: { user: User; password: string };
}

export const DEFAULT_TENANT_DOMAIN = 'tessera.onmicrosoft.com';

/** One opened data folder: the store and the domain services over it, shared by server and CLI. */
export class Tessera {
  readonly directory: Directory;
  readonly keys: SigningKeys;
  readonly signIns: SignInServices;
  readonly subscriptions: Subscriptions;
  readonly resourceGroups: ResourceGroups;
  readonly configurationStores: ConfigurationStores;
  readonly mediaServices: MediaServices;
  readonly resourcePorts: ResourcePorts;
  readonly roleAssignments: RoleAssignments;
  readonly roleDefinitions: RoleDefinitions;
  readonly denyAssignments: DenyAssignments;
  readonly access: AccessEngine;
  /** Seals secrets at rest under the key-encryption key (TESSERA_KEK, TESSERA_KEK_FILE or the folder's). */
  readonly sealing: KeyEncryption;

  private constructor(
    readonly db: Store,
    /** The data folder: the database, TLS material, media blobs. */
    readonly dataDir: string,
    private readonly location: StartupLockLocation,
    /** Media Services blobs: `<dataDir>/media` unless given (a folder the nodes share). */
    readonly mediaDir: string,
  ) {
    this.directory = new Directory(db);
    this.sealing = KeyEncryption.forDataFolder(dataDir);
    this.keys = new SigningKeys(db, this.sealing);
    this.signIns = new SignInServices(db);
    this.subscriptions = new Subscriptions(db);
    this.resourceGroups = new ResourceGroups(db);
    this.resourcePorts = new ResourcePorts(db);
    this.configurationStores = new ConfigurationStores(db, this.resourcePorts, this.sealing);
    this.mediaServices = new MediaServices(db, this.resourcePorts);
    this.roleAssignments = new RoleAssignments(db);
    this.roleDefinitions = new RoleDefinitions(db);
    this.denyAssignments = new DenyAssignments(db);
    this.access = new AccessEngine(db);
  }

  /**
   * Opens (and on first use creates) the store and brings it up to this release: migrations,
   * first-party applications, sealing. Under the start-up lock, so that nodes (or a server and a
   * CLI command) opening one new store at once do this one after the other.
   */
  static async open(options: {
    dataDir: string;
    /** A PostgreSQL URL: the store lives there instead of in the data folder's SQLite file. */
    databaseUrl?: string;
    poolSize?: number;
    mediaDir?: string;
    logger?: Logger;
  }): Promise<Tessera> {
    const location = { dataDir: options.dataDir, databaseUrl: options.databaseUrl };
    return withStartupLock(location, async () => {
      const db = await openStore({
        dataDir: options.dataDir,
        databaseUrl: options.databaseUrl,
        poolSize: options.poolSize,
      });
      try {
        const mediaDir = options.mediaDir ?? join(options.dataDir, 'media');
        const tessera = new Tessera(db, options.dataDir, location, mediaDir);
        await tessera.directory.ensureFirstParty();
        await tessera.keys.sealStoredKeys(KeyEncryption.isSealed);
        await tessera.configurationStores.keys.sealStoredSecrets(KeyEncryption.isSealed);
        return tessera;
      } catch (error) {
        await db.destroy();
        throw error;
      }
    });
  }

  /**
   * Runs `work` under the start-up lock: set-up that reads, decides and writes shared state (the
   * TLS material nodes on one database share) and must not race another process doing the same.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T> {
    return withStartupLock(this.location, work);
  }

  /**
   * First run only: a default tenant, subscription and resource group to start from, and the
   * first signing key. Of several processes starting on one new store, exactly one creates them.
   */
  async bootstrap(): Promise<Bootstrap | undefined> {
    // Most opens find the set-up done and need no lock. A tenant alone does not say so: another
    // process may be between creating it and the signing key, the set-up's last step, and this
    // one must not go on (list keys, serve, sign in) before that process is done.
    if (await this.isBootstrapped()) return undefined;
    return this.exclusively(async () => {
      if ((await this.directory.tenants.list()).length > 0) return undefined;
      const tenant = await this.directory.createTenant({
        domain: DEFAULT_TENANT_DOMAIN,
        displayName: 'Tessera',
      });
      const subscription = await this.subscriptions.create(tenant.id, 'Tessera Subscription');
      const resourceGroup = await this.subscriptions.createResourceGroup({
        subscriptionId: subscription.subscriptionId,
        name: 'tessera-rg',
        location: 'westus',
      });
      const administrator = await this.createAdministrator(tenant, subscription);
      await this.keys.current();
      return { tenant, subscription, resourceGroup, administrator };
    });
  }

  private async isBootstrapped(): Promise<boolean> {
    if ((await this.directory.tenants.list()).length === 0) return false;
    return (await this.db.selectFrom('signing_keys').select('kid').limit(1).executeTakeFirst()) !== undefined;
  }

  /**
   * Without someone holding Owner, every ARM call answers 403 and nobody can grant access. The
   * password exists only in the returned object (the store keeps its hash): whoever bootstraps
   * shows it once.
   */
  private async createAdministrator(
    tenant: Tenant,
    subscription: Subscription,
  ): Promise<Bootstrap['administrator']> {
    const password = generatePassword();
    const user = await this.directory.users.create(tenant, {
      userPrincipalName: `admin@${tenant.domain}`,
      displayName: 'Tessera Administrator',
      password,
    });
    await this.directory.directoryRoles.add(tenant.id, DIRECTORY_ROLES.globalAdministrator.id, user.objectId);
    await this.roleAssignments.create({
      tenantId: tenant.id,
      scope: `/subscriptions/${subscription.subscriptionId}`,
      roleDefinition: 'Owner',
      principalId: user.objectId,
      principalType: 'User',
    });
    return { user, password };
  }

  /** The tenant commands act on when none is named: the first one created. */
  async defaultTenant(): Promise<Tenant> {
    const tenants = await this.directory.tenants.list();
    // Creation times have one-second resolution, so a tenant created in the bootstrap's second
    // could sort first; the bootstrap tenant, when there is one, is the first by construction.
    const first = tenants.find((t) => t.domain === DEFAULT_TENANT_DOMAIN) ?? tenants[0];
    if (!first) {
      const created = await this.bootstrap();
      if (!created) throw new Error('no tenant could be created');
      return created.tenant;
    }
    return first;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * Four groups of five letters and digits joined by hyphens (about 115 bits): all four character
 * classes the password policy counts, and nothing a shell or a form would mangle when the password
 * is pasted. Look-alike characters (0/O, 1/l/I) are left out, since people type it.
 */
function generatePassword(): string {
  for (;;) {
    const groups = Array.from({ length: 4 }, () =>
      Array.from({ length: 5 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join(''),
    );
    const password = groups.join('-');
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password)) return password;
  }
}
