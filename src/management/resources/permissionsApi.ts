import { resolveScope } from '../../access/scopes.js';
import type { ArmContext, ArmOperation } from '../arm/context.js';
import { armErrors } from '../arm/errors.js';
import { page } from '../arm/paging.js';
import { assignmentScope } from './authorizationScope.js';
import { permissionResource } from './roleDefinitionsApi.js';

/**
 * The caller's permissions at the scope: every permission block of every role assignment that
 * applies to it there (its own and its groups', at the scope or inherited from above), one entry
 * per block as Azure lists them, duplicates included. Deny assignments are not subtracted: Azure's
 * API reports what the role assignments grant, and a deny assignment still refuses at the check.
 */
async function callerPermissions(context: ArmContext, scope: string) {
  // The resource group must exist (404 otherwise); a resource below it need not, as its
  // permissions are what is inherited from above plus what is assigned on it.
  await resolveScope(context.tessera.db, context.caller.tenantId, scope);
  const index = await context.tessera.access.current();
  return index
    .applicableAssignments(context.caller.principal.objectId, scope)
    .flatMap(({ role }) => role.permissions.map(permissionResource));
}

/**
 * `GET {scope}/providers/Microsoft.Authorization/permissions` at a subscription, a resource group or
 * a resource (`permissions.listForResourceGroup`, `listForResource`, the portal's "what can I do
 * here"). Any authenticated caller of the tenant may ask about itself, whatever roles it holds.
 */
export function permissionsOperation(scope: string, name: string | undefined, method: string): ArmOperation {
  assignmentScope(scope);
  if (name !== undefined)
    throw armErrors.notFound(`${scope}/providers/Microsoft.Authorization/permissions/${name}`);
  if (method !== 'GET') throw armErrors.methodNotAllowed(method);
  return {
    api: 'permissions',
    action: null,
    scope,
    run: async (context) => ({
      status: 200,
      body: page(await callerPermissions(context, scope), context.request),
    }),
  };
}
