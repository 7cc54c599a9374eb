import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import { recordChange } from '../store/changes.js';
import type { Store } from '../store/database.js';
import type { ReadCache } from '../store/readCache.js';

/** Entra's built-in directory roles that Tessera gives meaning to, by role template id. */
export const DIRECTORY_ROLES = {
  globalAdministrator: { id: '62e90394-69f5-4237-9190-012177145e10', displayName: 'Global Administrator' },
  applicationAdministrator: {
    id: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
    displayName: 'Application Administrator',
  },
  userAdministrator: { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', displayName: 'User Administrator' },
  directoryReaders: { id: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b', displayName: 'Directory Readers' },
  globalReader: { id: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', displayName: 'Global Reader' },
  reportsReader: { id: '4a5d8f65-41da-4de4-8968-e035b65339cf', displayName: 'Reports Reader' },
  securityReader: { id: '5d6b6bb7-de71-4623-b4af-96380a352509', displayName: 'Security Reader' },
  securityAdministrator: {
    id: '194ae4cb-b126-40b2-bd5b-6091b380977d',
    displayName: 'Security Administrator',
  },
} as const;

export type DirectoryRoleName = keyof typeof DIRECTORY_ROLES;

const KNOWN = new Map<string, string>(Object.values(DIRECTORY_ROLES).map((r) => [r.id, r.displayName]));

/**
 * Directory role memberships (Entra's "Assigned roles" of a user or service principal). They are
 * not Azure RBAC: they govern the directory itself (Microsoft Graph writes, the `wids` claim),
 * where role assignments govern Azure resources.
 */
export class DirectoryRoles {
  constructor(
    private readonly db: Store,
    private readonly reads: ReadCache,
  ) {}

  async add(tenantId: string, roleTemplateId: string, principalId: string): Promise<void> {
    if (!KNOWN.has(roleTemplateId)) {
      throw new TesseraError('InvalidDirectoryRole', `'${roleTemplateId}' is not a directory role template.`);
    }
    if (!isGuid(principalId))
      throw new TesseraError('InvalidPrincipal', `'${principalId}' is not an object id.`);
    await recordChange(this.db, 'directory', (trx) =>
      trx
        .insertInto('directory_role_members')
        .values({
          tenant_id: tenantId,
          role_template_id: roleTemplateId,
          principal_id: principalId.toLowerCase(),
          created_at: nowSeconds(),
        })
        .onConflict((c) => c.doNothing())
        .execute(),
    );
  }

  async remove(tenantId: string, roleTemplateId: string, principalId: string): Promise<boolean> {
    const result = await recordChange(this.db, 'directory', (trx) =>
      trx
        .deleteFrom('directory_role_members')
        .where('tenant_id', '=', tenantId)
        .where('role_template_id', '=', roleTemplateId)
        .where('principal_id', '=', principalId.toLowerCase())
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }

  /** The role template ids a principal holds directly (Entra's `wids`), read through the cache. */
  async rolesOf(tenantId: string, principalId: string): Promise<readonly string[]> {
    const key = principalId.toLowerCase();
    return this.reads.get(`directory-roles:${tenantId}:${key}`, async () => {
      const rows = await this.db
        .selectFrom('directory_role_members')
        .select('role_template_id')
        .where('tenant_id', '=', tenantId)
        .where('principal_id', '=', key)
        .execute();
      return rows.map((r) => r.role_template_id);
    });
  }

  async membersOf(tenantId: string, roleTemplateId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('directory_role_members')
      .select('principal_id')
      .where('tenant_id', '=', tenantId)
      .where('role_template_id', '=', roleTemplateId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => r.principal_id);
  }

  static displayNameOf(roleTemplateId: string): string | undefined {
    return KNOWN.get(roleTemplateId);
  }
}
