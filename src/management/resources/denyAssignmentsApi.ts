import type { DenyAssignment } from '../../access/denyAssignments.js';
import { scopeKey } from '../../access/scopeKey.js';
import { isoFromSeconds } from '../../clock.js';
import type { ArmContext, ArmOperation } from '../arm/context.js';
import { ArmError, armErrors } from '../arm/errors.js';
import { eqValue, parseFilter } from '../arm/filters.js';
import { page } from '../arm/paging.js';
import { assignmentScope } from './authorizationScope.js';
import { appliesAt, relatedTo } from './scopeRelations.js';

const ACTION = {
  read: 'Microsoft.Authorization/denyAssignments/read',
  write: 'Microsoft.Authorization/denyAssignments/write',
  delete: 'Microsoft.Authorization/denyAssignments/delete',
};

export const denyAssignmentResource = (deny: DenyAssignment) => ({
  id: deny.id,
  name: deny.name,
  type: 'Microsoft.Authorization/denyAssignments',
  properties: {
    denyAssignmentName: deny.denyAssignmentName,
    description: deny.description,
    permissions: deny.permissions.map((p) => ({
      actions: p.actions,
      notActions: p.notActions,
      dataActions: p.dataActions,
      notDataActions: p.notDataActions,
    })),
    scope: deny.scope,
    doNotApplyToChildScopes: deny.doNotApplyToChildScopes,
    principals: deny.principals,
    excludePrincipals: deny.excludePrincipals,
    isSystemProtected: deny.isSystemProtected,
    createdOn: isoFromSeconds(deny.createdOn),
  },
});

/** Like role assignments: at, above and below; `atScope()`, `principalId eq`, `denyAssignmentName eq`. */
async function listDenies(context: ArmContext, scope: string): Promise<DenyAssignment[]> {
  const clauses = parseFilter(context.request.query['$filter'], [
    'atScope',
    'principalId',
    'denyAssignmentName',
  ]);
  let denies = (await context.tessera.denyAssignments.list(context.caller.tenantId)).filter((d) =>
    relatedTo(d.scope, scope),
  );
  if (clauses.some((c) => c.kind === 'atScope')) denies = denies.filter((d) => appliesAt(d.scope, scope));
  const principalId = eqValue(clauses, 'principalId')?.toLowerCase();
  if (principalId !== undefined)
    denies = denies.filter((d) => d.principals.some((p) => p.id === principalId));
  const name = eqValue(clauses, 'denyAssignmentName');
  if (name !== undefined) denies = denies.filter((d) => d.denyAssignmentName === name);
  return denies;
}

/**
 * `{scope}/providers/Microsoft.Authorization/denyAssignments[/{guid}]`: read-only, as in Azure,
 * where only Azure itself (blueprints, managed apps) creates them; Tessera's CLI does here.
 */
export function denyAssignmentsOperation(
  scope: string,
  name: string | undefined,
  method: string,
): ArmOperation {
  assignmentScope(scope);
  const operation = (action: string, run: ArmOperation['run']): ArmOperation => ({
    api: 'denyAssignments',
    action,
    scope,
    run,
  });
  if (name === undefined) {
    if (method !== 'GET') throw armErrors.methodNotAllowed(method);
    return operation(ACTION.read, async (context) => ({
      status: 200,
      body: page((await listDenies(context, scope)).map(denyAssignmentResource), context.request),
    }));
  }
  switch (method) {
    case 'GET':
      return operation(ACTION.read, async (context) => {
        const deny = await context.tessera.denyAssignments.find(context.caller.tenantId, name);
        if (!deny || scopeKey(deny.scope) !== scopeKey(scope)) {
          throw new ArmError(404, 'DenyAssignmentNotFound', `The deny assignment '${name}' is not found.`);
        }
        return { status: 200, body: denyAssignmentResource(deny) };
      });
    case 'PUT':
    case 'PATCH':
    case 'DELETE':
      // RBAC first, as ARM's front door does; whoever passes it still cannot write through the API.
      return operation(method === 'DELETE' ? ACTION.delete : ACTION.write, async () => {
        throw armErrors.methodNotAllowed(method);
      });
    default:
      throw armErrors.methodNotAllowed(method);
  }
}
