import { TesseraError } from '../errors.js';
import { ChangeWatcher } from '../store/changes.js';
import type { Store } from '../store/database.js';
import { ReadCache } from '../store/readCache.js';
import { Applications } from './applications.js';
import { Credentials } from './credentials.js';
import { DirectoryRoles } from './directoryRoles.js';
import { FederatedCredentials } from './federatedCredentials.js';
import { Groups } from './groups.js';
import {
  MICROSOFT_SERVICES_DOMAIN,
  MICROSOFT_SERVICES_TENANT_ID,
  firstPartyApplications,
} from './firstParty.js';
import type { Application, ServicePrincipal, Tenant } from './model.js';
import { ServicePrincipals } from './servicePrincipals.js';
import { Tenants } from './tenants.js';
import { Users } from './users.js';

/** The directory of all tenants: the one entry point the authority and the CLI use. */
export class Directory {
  readonly tenants: Tenants;
  readonly applications: Applications;
  readonly credentials: Credentials;
  readonly servicePrincipals: ServicePrincipals;
  readonly groups: Groups;
  readonly users: Users;
  readonly directoryRoles: DirectoryRoles;
  readonly federatedCredentials: FederatedCredentials;

  constructor(db: Store) {
    // Token issuance reads the same tenant, client, resource and roles on every request.
    const reads = new ReadCache(new ChangeWatcher(db, 'directory'));
    this.tenants = new Tenants(db, reads);
    this.applications = new Applications(db, reads);
    this.credentials = new Credentials(db, reads);
    this.servicePrincipals = new ServicePrincipals(db, reads);
    this.groups = new Groups(db);
    this.users = new Users(db, reads);
    this.directoryRoles = new DirectoryRoles(db, reads);
    this.federatedCredentials = new FederatedCredentials(db, reads);
  }

  /**
   * Idempotent: makes sure Microsoft's first-party applications exist and that every customer
   * tenant has their service principals, so a catalogue added in a later release reaches old data.
   */
  async ensureFirstParty(): Promise<void> {
    const home =
      (await this.tenants.find(MICROSOFT_SERVICES_TENANT_ID, { includeMicrosoft: true })) ??
      (await this.tenants.create({
        id: MICROSOFT_SERVICES_TENANT_ID,
        domain: MICROSOFT_SERVICES_DOMAIN,
        displayName: 'Microsoft Services',
        kind: 'microsoft',
      }));
    // Existing first-party applications take the definition of this release (a data folder made
    // by an older one lacks, say, a resource's newer identifier URIs).
    for (const input of firstPartyApplications) {
      const existing = await this.applications.findByAppId(input.appId);
      if (!existing) await this.applications.create(home.id, input);
      else {
        const redefined = await this.applications.redefine(existing, input);
        if (redefined) await this.servicePrincipals.syncNames(redefined);
      }
    }
    for (const tenant of await this.tenants.list()) await this.provisionFirstParty(tenant);
  }

  async createTenant(input: { domain: string; displayName?: string }): Promise<Tenant> {
    const tenant = await this.tenants.create(input);
    await this.provisionFirstParty(tenant);
    return tenant;
  }

  /** `az ad sp create --id <appId>`: the app may live in this tenant or be multi-tenant elsewhere. */
  async createServicePrincipal(tenant: Tenant, appId: string): Promise<ServicePrincipal> {
    const app = await this.applications.findByAppId(appId);
    if (!app) {
      throw new TesseraError(
        'ApplicationNotFound',
        `Application with identifier '${appId}' was not found in the directory '${tenant.domain}'.`,
      );
    }
    return this.servicePrincipals.create(tenant.id, app);
  }

  /** Application plus its service principal in the home tenant, as `create-for-rbac` makes them. */
  async registerApplication(
    tenant: Tenant,
    input: Parameters<Applications['create']>[1],
  ): Promise<{ application: Application; servicePrincipal: ServicePrincipal }> {
    const application = await this.applications.create(tenant.id, input);
    try {
      const servicePrincipal = await this.servicePrincipals.create(tenant.id, application);
      return { application, servicePrincipal };
    } catch (error) {
      await this.applications.delete(application);
      throw error;
    }
  }

  private async provisionFirstParty(tenant: Tenant): Promise<void> {
    for (const input of firstPartyApplications) {
      if (await this.servicePrincipals.findByAppId(tenant.id, input.appId)) continue;
      const app = await this.applications.findByAppId(input.appId);
      if (app) await this.servicePrincipals.create(tenant.id, app);
    }
  }
}
