import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { changeAccess } from '../access/changes.js';
import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import { recordChange } from '../store/changes.js';
import type { Store } from '../store/database.js';
import type { ReadCache } from '../store/readCache.js';
import type { AppRoleAssignmentTable, ServicePrincipalTable } from '../store/schema.js';
import type { Application, AppRoleAssignment, ServicePrincipal } from './model.js';

const toServicePrincipal = (row: Selectable<ServicePrincipalTable>): ServicePrincipal => ({
  objectId: row.object_id,
  tenantId: row.tenant_id,
  appId: row.app_id,
  appOwnerTenantId: row.app_owner_tenant_id,
  displayName: row.display_name,
  accountEnabled: row.account_enabled === 1,
  createdAt: Number(row.created_at),
});

/** The lookup form of a resource name: case-insensitive, trailing slashes ignored, so
 * `https://management.core.windows.net//.default` finds `https://management.core.windows.net/`. */
export const normalizeServicePrincipalName = (name: string): string => name.toLowerCase().replace(/\/+$/, '');

export interface ResolvedResource {
  servicePrincipal: ServicePrincipal;
  /** The registered name that matched: a v1 token's `aud`. */
  matchedName: string;
}

export class ServicePrincipals {
  constructor(
    private readonly db: Store,
    private readonly reads: ReadCache,
  ) {}

  /** Instantiates `app` in `tenantId`; names are the appId and the app's identifier URIs. */
  async create(tenantId: string, app: Application): Promise<ServicePrincipal> {
    if (app.tenantId !== tenantId && app.signInAudience === 'AzureADMyOrg') {
      throw new TesseraError(
        'ApplicationNotMultiTenant',
        `Application '${app.appId}' is single-tenant; it can have a service principal only in its home tenant.`,
      );
    }
    if (await this.findByAppId(tenantId, app.appId)) {
      throw new TesseraError(
        'ServicePrincipalExists',
        `A service principal for application '${app.appId}' already exists in this tenant.`,
      );
    }
    const row = {
      object_id: randomUUID(),
      tenant_id: tenantId,
      app_id: app.appId,
      app_owner_tenant_id: app.tenantId,
      display_name: app.displayName,
      account_enabled: 1,
      created_at: nowSeconds(),
    };
    const names = new Map<string, string>();
    for (const name of [app.appId, ...app.identifierUris])
      names.set(normalizeServicePrincipalName(name), name);
    await recordChange(this.db, 'directory', async (trx) => {
      await trx.insertInto('service_principals').values(row).execute();
      for (const [nameLower, name] of names) {
        const taken = await trx
          .selectFrom('service_principal_names')
          .select('service_principal_object_id')
          .where('tenant_id', '=', tenantId)
          .where('name_lower', '=', nameLower)
          .executeTakeFirst();
        if (taken) {
          throw new TesseraError(
            'IdentifierUriInUse',
            `Another service principal in this tenant already uses the name '${name}'.`,
          );
        }
        await trx
          .insertInto('service_principal_names')
          .values({
            tenant_id: tenantId,
            name_lower: nameLower,
            name,
            service_principal_object_id: row.object_id,
          })
          .execute();
      }
    });
    return toServicePrincipal(row);
  }

  /**
   * After `app`'s identifier URIs changed: every service principal made from it, in every tenant,
   * answers to exactly its appId and its URIs. A URI another principal of a tenant already
   * answers to stays that principal's there, as creating the principal would have refused it.
   */
  async syncNames(app: Application): Promise<void> {
    const wanted = new Map<string, string>();
    for (const name of [app.appId, ...app.identifierUris])
      wanted.set(normalizeServicePrincipalName(name), name);
    await recordChange(this.db, 'directory', async (trx) => {
      const principals = await trx
        .selectFrom('service_principals')
        .select(['object_id', 'tenant_id'])
        .where('app_id', '=', app.appId)
        .execute();
      for (const principal of principals) {
        await trx
          .deleteFrom('service_principal_names')
          .where('service_principal_object_id', '=', principal.object_id)
          .where('name_lower', 'not in', [...wanted.keys()])
          .execute();
        for (const [nameLower, name] of wanted) {
          await trx
            .insertInto('service_principal_names')
            .values({
              tenant_id: principal.tenant_id,
              name_lower: nameLower,
              name,
              service_principal_object_id: principal.object_id,
            })
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      }
    });
  }

  /**
   * Graph's PATCH of what a tenant decides about its principal: whether it may sign in or be
   * signed in to (`accountEnabled`: the authority refuses every token of a disabled one) and its
   * display name. Returns the principal as now stored.
   */
  async update(
    sp: ServicePrincipal,
    change: { accountEnabled?: boolean; displayName?: string },
  ): Promise<ServicePrincipal> {
    const displayName = change.displayName ?? sp.displayName;
    if (!displayName.trim()) throw new TesseraError('InvalidDisplayName', 'displayName is required.');
    const next = { ...sp, accountEnabled: change.accountEnabled ?? sp.accountEnabled, displayName };
    await recordChange(this.db, 'directory', (trx) =>
      trx
        .updateTable('service_principals')
        .set({ account_enabled: next.accountEnabled ? 1 : 0, display_name: next.displayName })
        .where('object_id', '=', sp.objectId)
        .execute(),
    );
    return next;
  }

  async findByAppId(tenantId: string, appId: string): Promise<ServicePrincipal | undefined> {
    if (!isGuid(appId)) return undefined;
    const key = appId.toLowerCase();
    return this.reads.get(`sp:${tenantId}:${key}`, async () => {
      const row = await this.db
        .selectFrom('service_principals')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('app_id', '=', key)
        .executeTakeFirst();
      return row && toServicePrincipal(row);
    });
  }

  async findByObjectId(tenantId: string, objectId: string): Promise<ServicePrincipal | undefined> {
    if (!isGuid(objectId)) return undefined;
    const row = await this.db
      .selectFrom('service_principals')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('object_id', '=', objectId.toLowerCase())
      .executeTakeFirst();
    return row && toServicePrincipal(row);
  }

  async list(tenantId: string): Promise<ServicePrincipal[]> {
    const rows = await this.db
      .selectFrom('service_principals')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .orderBy('display_name')
      .execute();
    return rows.map(toServicePrincipal);
  }

  async names(objectId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('service_principal_names')
      .select('name')
      .where('service_principal_object_id', '=', objectId)
      .execute();
    return rows.map((r) => r.name);
  }

  /** Finds the resource a client asked for (`resource`, or a scope with `/.default` removed). */
  async resolveResource(tenantId: string, name: string): Promise<ResolvedResource | undefined> {
    const key = normalizeServicePrincipalName(name);
    return this.reads.get(`resource:${tenantId}:${key}`, async () => {
      const row = await this.db
        .selectFrom('service_principal_names as n')
        .innerJoin('service_principals as sp', 'sp.object_id', 'n.service_principal_object_id')
        .selectAll('sp')
        .select('n.name')
        .where('n.tenant_id', '=', tenantId)
        .where('n.name_lower', '=', key)
        .executeTakeFirst();
      return row && { servicePrincipal: toServicePrincipal(row), matchedName: row.name };
    });
  }

  /** Assigns an app role of `resource` to a service principal (default), a user or a group. */
  async assignAppRole(input: {
    tenantId: string;
    principal: { objectId: string };
    principalType?: AppRoleAssignment['principalType'];
    resource: ServicePrincipal;
    appRoleId: string;
  }): Promise<AppRoleAssignment> {
    const principalType = input.principalType ?? 'ServicePrincipal';
    const row = {
      id: randomUUID(),
      tenant_id: input.tenantId,
      principal_id: input.principal.objectId,
      principal_type: principalType,
      resource_id: input.resource.objectId,
      app_role_id: input.appRoleId,
      created_at: nowSeconds(),
    };
    const existing = await this.db
      .selectFrom('app_role_assignments')
      .select('id')
      .where('principal_id', '=', row.principal_id)
      .where('resource_id', '=', row.resource_id)
      .where('app_role_id', '=', row.app_role_id)
      .executeTakeFirst();
    if (existing) {
      throw new TesseraError(
        'AppRoleAssignmentExists',
        'Permission being assigned already exists on the object.',
      );
    }
    await recordChange(this.db, 'directory', (trx) =>
      trx.insertInto('app_role_assignments').values(row).execute(),
    );
    return {
      id: row.id,
      principalId: row.principal_id,
      principalType,
      resourceId: row.resource_id,
      appRoleId: row.app_role_id,
      createdAt: row.created_at,
    };
  }

  async appRoleIdsFor(principalId: string, resourceId: string): Promise<string[]> {
    return this.reads.get(`approles:${principalId}:${resourceId}`, async () => {
      const rows = await this.db
        .selectFrom('app_role_assignments')
        .select('app_role_id')
        .where('principal_id', '=', principalId)
        .where('resource_id', '=', resourceId)
        .execute();
      return rows.map((r) => r.app_role_id);
    });
  }

  async appRoleAssignments(principalId: string): Promise<AppRoleAssignment[]> {
    const rows = await this.db
      .selectFrom('app_role_assignments')
      .selectAll()
      .where('principal_id', '=', principalId)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      principalId: r.principal_id,
      principalType: r.principal_type as AppRoleAssignment['principalType'],
      resourceId: r.resource_id,
      appRoleId: r.app_role_id,
      createdAt: Number(r.created_at),
    }));
  }

  /** Every principal's names in one tenant, by principal object id (a listing needs them all). */
  async namesInTenant(tenantId: string): Promise<Map<string, string[]>> {
    const rows = await this.db
      .selectFrom('service_principal_names')
      .select(['service_principal_object_id', 'name'])
      .where('tenant_id', '=', tenantId)
      .execute();
    const names = new Map<string, string[]>();
    for (const row of rows) {
      const list = names.get(row.service_principal_object_id) ?? [];
      list.push(row.name);
      names.set(row.service_principal_object_id, list);
    }
    return names;
  }

  /** The app role assignments granted on a resource (Graph's appRoleAssignedTo). */
  async appRoleAssignmentsTo(resourceId: string): Promise<AppRoleAssignment[]> {
    const rows = await this.db
      .selectFrom('app_role_assignments')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('created_at')
      .execute();
    return rows.map(toAssignment);
  }

  async findAppRoleAssignment(tenantId: string, id: string): Promise<AppRoleAssignment | undefined> {
    if (!isGuid(id)) return undefined;
    const row = await this.db
      .selectFrom('app_role_assignments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id.toLowerCase())
      .executeTakeFirst();
    return row && toAssignment(row);
  }

  async removeAppRoleAssignment(assignment: AppRoleAssignment): Promise<void> {
    await recordChange(this.db, 'directory', (trx) =>
      trx.deleteFrom('app_role_assignments').where('id', '=', assignment.id).execute(),
    );
  }

  /**
   * Removes the principal: its names, the app role assignments it holds or that were granted on
   * it, its group memberships and directory roles. Role assignments in Azure stay, as in Azure.
   */
  async delete(sp: ServicePrincipal): Promise<void> {
    await changeAccess(this.db, (trx) =>
      trx.deleteFrom('group_members').where('member_id', '=', sp.objectId).execute(),
    );
    await recordChange(this.db, 'directory', async (trx) => {
      await trx
        .deleteFrom('app_role_assignments')
        .where((eb) => eb.or([eb('principal_id', '=', sp.objectId), eb('resource_id', '=', sp.objectId)]))
        .execute();
      await trx
        .deleteFrom('directory_role_members')
        .where('tenant_id', '=', sp.tenantId)
        .where('principal_id', '=', sp.objectId)
        .execute();
      await trx.deleteFrom('service_principals').where('object_id', '=', sp.objectId).execute();
    });
  }
}

const toAssignment = (r: Selectable<AppRoleAssignmentTable>): AppRoleAssignment => ({
  id: r.id,
  principalId: r.principal_id,
  principalType: r.principal_type as AppRoleAssignment['principalType'],
  resourceId: r.resource_id,
  appRoleId: r.app_role_id,
  createdAt: Number(r.created_at),
});
