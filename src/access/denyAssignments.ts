import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowSeconds } from '../clock.js';
import { TesseraError, isGuid } from '../errors.js';
import { parseList } from '../directory/json.js';
import type { Store } from '../store/database.js';
import type { DenyAssignmentTable } from '../store/schema.js';
import { EVERYONE } from './accessIndex.js';
import { changeAccess } from './changes.js';
import type { Permission } from './permissions.js';
import { resolveScope, formatScope } from './scopes.js';
import { scopeKey } from './scopeKey.js';

export interface DenyPrincipal {
  id: string;
  type: 'User' | 'Group' | 'ServicePrincipal' | 'SystemDefined';
}

export interface DenyAssignment {
  name: string;
  id: string;
  denyAssignmentName: string;
  description: string | null;
  scope: string;
  permissions: Permission[];
  principals: DenyPrincipal[];
  excludePrincipals: DenyPrincipal[];
  doNotApplyToChildScopes: boolean;
  isSystemProtected: true;
  createdOn: number;
}

const toDeny = (row: Selectable<DenyAssignmentTable>): DenyAssignment => ({
  name: row.name,
  id: `${row.scope}/providers/Microsoft.Authorization/denyAssignments/${row.name}`,
  denyAssignmentName: row.deny_assignment_name,
  description: row.description,
  scope: row.scope,
  permissions: parseList<Permission>(row.permissions),
  principals: parseList<DenyPrincipal>(row.principals),
  excludePrincipals: parseList<DenyPrincipal>(row.exclude_principals),
  doNotApplyToChildScopes: row.do_not_apply_to_child_scopes === 1,
  isSystemProtected: true,
  createdOn: Number(row.created_on),
});

export const everyone: DenyPrincipal = { id: EVERYONE, type: 'SystemDefined' };

/**
 * Azure creates deny assignments only internally (blueprints, managed apps, deployment stacks),
 * so the API reads them and only the CLI writes them.
 */
export class DenyAssignments {
  constructor(private readonly db: Store) {}

  async create(input: {
    tenantId: string;
    scope: string;
    denyAssignmentName: string;
    description?: string;
    permissions: Permission[];
    principals: DenyPrincipal[];
    excludePrincipals?: DenyPrincipal[];
    doNotApplyToChildScopes?: boolean;
  }): Promise<DenyAssignment> {
    if (input.principals.length === 0) {
      throw new TesseraError('InvalidDenyAssignment', 'A deny assignment needs at least one principal.');
    }
    const scope = formatScope(await resolveScope(this.db, input.tenantId, input.scope));
    const row = {
      name: randomUUID(),
      tenant_id: input.tenantId,
      deny_assignment_name: input.denyAssignmentName,
      description: input.description ?? null,
      scope,
      scope_lower: scopeKey(scope),
      permissions: JSON.stringify(input.permissions),
      principals: JSON.stringify(input.principals.map((p) => ({ ...p, id: p.id.toLowerCase() }))),
      exclude_principals: JSON.stringify(
        (input.excludePrincipals ?? []).map((p) => ({ ...p, id: p.id.toLowerCase() })),
      ),
      do_not_apply_to_child_scopes: input.doNotApplyToChildScopes ? 1 : 0,
      created_on: nowSeconds(),
    };
    await changeAccess(this.db, async (trx) => {
      await trx.insertInto('deny_assignments').values(row).execute();
    });
    return toDeny(row);
  }

  async find(tenantId: string, name: string): Promise<DenyAssignment | undefined> {
    if (!isGuid(name)) return undefined;
    const row = await this.db
      .selectFrom('deny_assignments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toDeny(row);
  }

  async list(tenantId: string, filter: { scope?: string } = {}): Promise<DenyAssignment[]> {
    let query = this.db.selectFrom('deny_assignments').selectAll().where('tenant_id', '=', tenantId);
    if (filter.scope !== undefined) query = query.where('scope_lower', '=', scopeKey(filter.scope));
    const rows = await query.orderBy('created_on').execute();
    return rows.map(toDeny);
  }

  async delete(tenantId: string, name: string): Promise<DenyAssignment | undefined> {
    const deny = await this.find(tenantId, name);
    if (!deny) return undefined;
    await changeAccess(this.db, async (trx) => {
      await trx.deleteFrom('deny_assignments').where('name', '=', deny.name).execute();
    });
    return deny;
  }
}
