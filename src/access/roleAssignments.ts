import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import type { Store } from '../store/database.js';
import type { RoleAssignmentTable } from '../store/schema.js';
import { changeAccess } from './changes.js';
import { checkCondition } from './conditions/conditionCheck.js';
import { RoleDefinitions } from './roleDefinitionStore.js';
import { findPrincipal } from '../directory/principals.js';
import { formatScope, resolveScope } from './scopes.js';
import { scopeKey, scopeKeyAndAncestors } from './scopeKey.js';

export type PrincipalType = 'User' | 'Group' | 'ServicePrincipal' | 'ForeignGroup';

export interface RoleAssignment {
  /** A GUID, unique across scopes: ARM's `name`. */
  name: string;
  /** ARM's id: `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
  id: string;
  scope: string;
  /** The role definition's GUID. */
  roleDefinitionId: string;
  principalId: string;
  principalType: PrincipalType;
  description: string | null;
  createdOn: number;
  updatedOn: number;
  createdBy: string | null;
  updatedBy: string | null;
  /** ABAC condition (version 2.0); null when the assignment has none. */
  condition: string | null;
  conditionVersion: string | null;
}

export interface RoleAssignmentInput {
  tenantId: string;
  scope: string;
  /** A role name, a role definition GUID or a full role definition id. */
  roleDefinition: string;
  principalId: string;
  principalType?: PrincipalType;
  description?: string;
  /** Object id of whoever made the assignment (ARM's read-only `createdBy`). */
  createdBy?: string;
  /** ARM's PUT names the assignment in its URL; otherwise a new GUID is chosen. */
  name?: string;
  /** ABAC condition; `conditionVersion` defaults to 2.0, the only one accepted. */
  condition?: string | null;
  conditionVersion?: string | null;
}

/** What an update may change: scope, role and principal are the assignment's identity. */
export interface RoleAssignmentUpdate {
  condition?: string | null;
  conditionVersion?: string | null;
  description?: string | null;
  updatedBy?: string;
}

const principalTypes: readonly PrincipalType[] = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup'];

const toRoleAssignment = (row: Selectable<RoleAssignmentTable>): RoleAssignment => ({
  name: row.name,
  id: `${row.scope}/providers/Microsoft.Authorization/roleAssignments/${row.name}`,
  scope: row.scope,
  roleDefinitionId: row.role_definition_id,
  principalId: row.principal_id,
  principalType: principalTypes.find((t) => t === row.principal_type) ?? 'ServicePrincipal',
  description: row.description,
  createdOn: Number(row.created_on),
  updatedOn: Number(row.updated_on),
  createdBy: row.created_by,
  updatedBy: row.updated_by ?? row.created_by,
  condition: row.condition ?? null,
  conditionVersion: (row.condition ?? null) ? (row.condition_version ?? null) : null,
});

/** Who holds which role where: the store behind `az role assignment` and ARM's roleAssignments. */
export class RoleAssignments {
  private readonly roleDefinitions: RoleDefinitions;

  constructor(private readonly db: Store) {
    this.roleDefinitions = new RoleDefinitions(db);
  }

  async create(input: RoleAssignmentInput): Promise<RoleAssignment> {
    const name = (input.name ?? randomUUID()).toLowerCase();
    if (!isGuid(name)) {
      throw new TesseraError(
        'InvalidRoleAssignmentId',
        `The role assignment ID '${input.name}' is not valid. The role assignment ID must be a GUID.`,
      );
    }
    const role = await this.roleDefinitions.find(input.tenantId, input.roleDefinition);
    if (!role) {
      throw new TesseraError(
        'RoleDefinitionDoesNotExist',
        `The specified role definition with ID '${input.roleDefinition}' does not exist.`,
      );
    }
    const scope = formatScope(await resolveScope(this.db, input.tenantId, input.scope));
    // A role is assignable at or below one of its assignable scopes: `/` for nearly every built-in
    // role, a provider's own scopes for a few (Reservations, Service Groups), where custom ones say.
    const above = scopeKeyAndAncestors(scopeKey(scope));
    if (!role.assignableScopes.some((s) => above.includes(scopeKey(s)))) {
      throw new TesseraError(
        'InvalidCreateRoleAssignmentRequest',
        `The request to create role assignment '${name}' is not valid. Role assignment scope '${scope}' must match one of the role definition's assignable scopes.`,
      );
    }
    const principal = await this.assertPrincipalExists(input.tenantId, input.principalId);
    const condition = checkCondition({
      condition: input.condition,
      conditionVersion: input.conditionVersion,
      permissions: role.permissions,
    });
    const now = nowSeconds();
    const row = {
      name,
      scope,
      scope_lower: scopeKey(scope),
      role_definition_id: role.name,
      principal_id: input.principalId.toLowerCase(),
      principal_type: input.principalType ?? principal.type,
      description: input.description ?? null,
      created_on: now,
      updated_on: now,
      created_by: input.createdBy ?? null,
      updated_by: input.createdBy ?? null,
      condition: condition?.condition ?? null,
      condition_version: condition?.conditionVersion ?? null,
    };
    await changeAccess(this.db, async (trx) => {
      const existing = await trx
        .selectFrom('role_assignments')
        .select('name')
        .where('scope_lower', '=', row.scope_lower)
        .where('role_definition_id', '=', row.role_definition_id)
        .where('principal_id', '=', row.principal_id)
        .executeTakeFirst();
      if (existing) throw new TesseraError('RoleAssignmentExists', 'The role assignment already exists.');
      await trx.insertInto('role_assignments').values(row).execute();
    });
    return toRoleAssignment(row);
  }

  /**
   * Changes an assignment's condition and description (az's `role assignment update`, ARM's PUT
   * of an existing name with the same scope, role and principal). The condition is checked against
   * the assignment's role as on create; leaving `condition` out keeps the current one.
   */
  async update(tenantId: string, name: string, change: RoleAssignmentUpdate): Promise<RoleAssignment> {
    const existing = await this.find(name);
    if (!existing) {
      throw new TesseraError('RoleAssignmentNotFound', `The role assignment '${name}' is not found.`);
    }
    const role = await this.roleDefinitions.find(tenantId, existing.roleDefinitionId);
    if (!role) {
      throw new TesseraError(
        'RoleDefinitionDoesNotExist',
        `The specified role definition with ID '${existing.roleDefinitionId}' does not exist.`,
      );
    }
    // A new condition without a version takes the default; a kept one keeps its version.
    const keepsCondition = change.condition === undefined;
    const condition = checkCondition({
      condition: keepsCondition ? existing.condition : change.condition,
      conditionVersion:
        change.conditionVersion !== undefined
          ? change.conditionVersion
          : keepsCondition
            ? existing.conditionVersion
            : undefined,
      permissions: role.permissions,
    });
    const values = {
      condition: condition?.condition ?? null,
      condition_version: condition?.conditionVersion ?? null,
      description: change.description === undefined ? existing.description : change.description,
      updated_on: nowSeconds(),
      updated_by: change.updatedBy ?? existing.updatedBy,
    };
    await changeAccess(this.db, async (trx) => {
      await trx.updateTable('role_assignments').set(values).where('name', '=', existing.name).execute();
    });
    return {
      ...existing,
      condition: values.condition,
      conditionVersion: values.condition_version,
      description: values.description,
      updatedOn: values.updated_on,
      updatedBy: values.updated_by,
    };
  }

  async find(name: string): Promise<RoleAssignment | undefined> {
    if (!isGuid(name)) return undefined;
    const row = await this.db
      .selectFrom('role_assignments')
      .selectAll()
      .where('name', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toRoleAssignment(row);
  }

  /** Assignments made exactly at `scope`, of `principalId`, or both; oldest first. */
  async list(filter: { scope?: string; principalId?: string } = {}): Promise<RoleAssignment[]> {
    let query = this.db.selectFrom('role_assignments').selectAll();
    if (filter.scope !== undefined) query = query.where('scope_lower', '=', scopeKey(filter.scope));
    if (filter.principalId !== undefined) {
      query = query.where('principal_id', '=', filter.principalId.toLowerCase());
    }
    const rows = await query.orderBy('created_on').orderBy('name').execute();
    return rows.map(toRoleAssignment);
  }

  /** Returns what was deleted; undefined when there was nothing to delete (ARM answers 204). */
  async delete(name: string): Promise<RoleAssignment | undefined> {
    const assignment = await this.find(name);
    if (assignment) {
      await changeAccess(this.db, async (trx) => {
        await trx.deleteFrom('role_assignments').where('name', '=', assignment.name).execute();
      });
    }
    return assignment;
  }

  private async assertPrincipalExists(tenantId: string, principalId: string) {
    const principal = await findPrincipal(this.db, tenantId, principalId);
    if (!principal) {
      throw new TesseraError(
        'PrincipalNotFound',
        `Principal ${principalId.replaceAll('-', '')} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
      );
    }
    return principal;
  }
}
