import { TesseraError } from '../errors.js';
import type { Tessera } from '../tessera.js';
import { assertScopeResourceExists } from './resources/providers.js';
import { appliesAt } from './resources/scopeRelations.js';

/**
 * ARM's checks on where a role may be assigned, shared by the API and the CLI: a custom role
 * only within its assignable scopes, and a resource scope only on a resource that exists.
 */
export async function checkAssignmentTarget(
  tessera: Tessera,
  input: { tenantId: string; roleDefinition: string; scope: string; name?: string },
): Promise<void> {
  const role = await tessera.roleDefinitions.find(input.tenantId, input.roleDefinition);
  if (role?.roleType === 'CustomRole' && !role.assignableScopes.some((s) => appliesAt(s, input.scope))) {
    throw new TesseraError(
      'InvalidCreateRoleAssignmentRequest',
      `The request to create role assignment '${input.name ?? ''}' is not valid. Role assignment scope '${input.scope}' must match one of the role definition's assignable scopes.`,
    );
  }
  await assertScopeResourceExists(tessera, input.scope);
}
