import type { Selectable } from 'kysely';
import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import { parseList } from '../directory/json.js';
import type { Store } from '../store/database.js';
import type { RoleDefinitionTable } from '../store/schema.js';
import { changeAccess } from './changes.js';
import type { Permission } from './permissions.js';
import type { RoleDefinition } from './roleDefinitions.js';
import { builtInRoleDefinitions, findRoleDefinition, isBuiltInRoleId } from './roleDefinitions.js';

export interface StoredRoleDefinition extends RoleDefinition {
  createdOn: number | null;
  updatedOn: number | null;
  createdBy: string | null;
}

export interface CustomRoleInput {
  /** The definition's GUID (ARM names it in the PUT URL). */
  name: string;
  roleName: string;
  description?: string;
  permissions: Permission[];
  assignableScopes: string[];
  createdBy?: string;
}

const DEFINITION_ID = /\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)\/?$/i;

const toDefinition = (row: Selectable<RoleDefinitionTable>): StoredRoleDefinition => ({
  name: row.name,
  roleName: row.role_name,
  description: row.description ?? '',
  roleType: 'CustomRole',
  assignableScopes: parseList<string>(row.assignable_scopes),
  permissions: parseList<Permission>(row.permissions),
  createdOn: Number(row.created_on),
  updatedOn: Number(row.updated_on),
  createdBy: row.created_by,
});

const builtIn = (role: RoleDefinition): StoredRoleDefinition => ({
  ...role,
  createdOn: null,
  updatedOn: null,
  createdBy: null,
});

const builtInStored: readonly StoredRoleDefinition[] = builtInRoleDefinitions.map(builtIn);

/**
 * Built-in roles (from the data file, the same everywhere) and a tenant's custom roles (in the
 * store). A store written before a role became built-in may hold a custom role that collides with
 * it; Azure never allows either collision, so the built-in role wins where they meet:
 * - the same GUID: the custom row is shadowed (never listed, found or evaluated); assignments
 *   naming that GUID get the built-in role, which such a row was made to stand in for;
 * - the same name, another GUID: the custom role keeps working (by its GUID, in lists, in its
 *   assignments), but a name lookup (`--role`, `$filter=roleName eq`) finds the built-in role, and
 *   it cannot be saved again under that name: rename it.
 */
export class RoleDefinitions {
  constructor(private readonly db: Store) {}

  /** By role name (case-insensitive), GUID, or full role definition id. */
  async find(tenantId: string, nameOrId: string): Promise<StoredRoleDefinition | undefined> {
    const builtin = findRoleDefinition(nameOrId);
    if (builtin) return builtIn(builtin);
    const key = (DEFINITION_ID.exec(nameOrId.trim())?.[1] ?? nameOrId.trim()).toLowerCase();
    const row = await this.db
      .selectFrom('role_definitions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where(isGuid(key) ? 'name' : 'role_name_lower', '=', key)
      .executeTakeFirst();
    return row && toDefinition(row);
  }

  async list(tenantId: string, filter: { roleName?: string; type?: 'BuiltInRole' | 'CustomRole' } = {}) {
    const named = filter.roleName === undefined ? undefined : findRoleDefinition(filter.roleName);
    if (named && named.roleName.toLowerCase() === filter.roleName?.toLowerCase()) {
      return filter.type === 'CustomRole' ? [] : [builtIn(named)];
    }
    const builtIns = filter.type === 'CustomRole' || filter.roleName !== undefined ? [] : builtInStored;
    if (filter.type === 'BuiltInRole') return [...builtIns];
    let query = this.db.selectFrom('role_definitions').selectAll().where('tenant_id', '=', tenantId);
    if (filter.roleName !== undefined)
      query = query.where('role_name_lower', '=', filter.roleName.toLowerCase());
    const rows = await query.orderBy('role_name_lower').execute();
    return [...builtIns, ...rows.filter((r) => !isBuiltInRoleId(r.name)).map(toDefinition)];
  }

  async createOrUpdate(
    tenantId: string,
    input: CustomRoleInput,
  ): Promise<{ definition: StoredRoleDefinition; created: boolean }> {
    const name = input.name.toLowerCase();
    if (!isGuid(name)) {
      throw new TesseraError(
        'InvalidRoleDefinitionId',
        `The role definition ID '${input.name}' is not valid.`,
      );
    }
    if (findRoleDefinition(name)) {
      throw new TesseraError('RoleDefinitionNotModifiable', 'Built-in role definitions cannot be modified.');
    }
    if (!input.roleName.trim()) throw new TesseraError('InvalidRoleName', 'The role name cannot be empty.');
    if (findRoleDefinition(input.roleName)) {
      throw new TesseraError(
        'RoleDefinitionWithSameNameExists',
        `A role definition cannot be updated with a name that already exists.`,
      );
    }
    if (input.assignableScopes.length === 0) {
      throw new TesseraError('MissingAssignableScopes', 'A custom role needs at least one assignable scope.');
    }
    const now = nowSeconds();
    return changeAccess(this.db, async (trx) => {
      const existing = await trx
        .selectFrom('role_definitions')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      if (existing && existing.tenant_id !== tenantId) {
        throw new TesseraError('RoleDefinitionDoesNotExist', `The role definition '${name}' does not exist.`);
      }
      const clash = await trx
        .selectFrom('role_definitions')
        .select('name')
        .where('tenant_id', '=', tenantId)
        .where('role_name_lower', '=', input.roleName.toLowerCase())
        .where('name', '!=', name)
        .executeTakeFirst();
      if (clash) {
        throw new TesseraError(
          'RoleDefinitionWithSameNameExists',
          `A custom role with the name '${input.roleName}' already exists.`,
        );
      }
      const values = {
        role_name: input.roleName,
        role_name_lower: input.roleName.toLowerCase(),
        description: input.description ?? null,
        permissions: JSON.stringify(input.permissions),
        assignable_scopes: JSON.stringify(input.assignableScopes),
        updated_on: now,
      };
      if (existing) {
        await trx.updateTable('role_definitions').set(values).where('name', '=', name).execute();
      } else {
        await trx
          .insertInto('role_definitions')
          .values({
            ...values,
            name,
            tenant_id: tenantId,
            created_on: now,
            created_by: input.createdBy ?? null,
          })
          .execute();
      }
      const row = await trx
        .selectFrom('role_definitions')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return { definition: toDefinition(row), created: !existing };
    });
  }

  /** Refused while assignments use the role, as in Azure. */
  async delete(tenantId: string, name: string): Promise<StoredRoleDefinition | undefined> {
    const definition = await this.find(tenantId, name);
    if (!definition) return undefined;
    if (definition.roleType === 'BuiltInRole') {
      throw new TesseraError('RoleDefinitionNotModifiable', 'Built-in role definitions cannot be deleted.');
    }
    return changeAccess(this.db, async (trx) => {
      const inUse = await trx
        .selectFrom('role_assignments')
        .select('name')
        .where('role_definition_id', '=', definition.name)
        .executeTakeFirst();
      if (inUse) {
        throw new TesseraError(
          'RoleDefinitionHasAssignments',
          'There are existing role assignments referencing role. Delete the assignments first.',
        );
      }
      await trx.deleteFrom('role_definitions').where('name', '=', definition.name).execute();
      return definition;
    });
  }
}
