import { formatScope, resolveScope } from '../../access/scopes.js';
import { findPrincipal } from '../../directory/principals.js';
import type { ArmContext, ArmOperation, ArmReply } from '../arm/context.js';
import { ArmError, armErrors } from '../arm/errors.js';
import { ROOT_SCOPE } from './authorizationScope.js';
import { checkAccessEntries } from './checkAccessDecision.js';
import { CHECK_ACCESS_BODY_LIMIT, parseCheckAccessRequest } from './checkAccessRequest.js';

/** Asking about someone else reveals no more than listing `assignedTo()` there, which needs this. */
const READ_ASSIGNMENTS = 'Microsoft.Authorization/roleAssignments/read';

export const principalNotFound = (objectId: string, tenantId: string): ArmError =>
  new ArmError(
    400,
    'PrincipalNotFound',
    `Principal ${objectId} does not exist in the directory ${tenantId}. Check that you have the correct principal ID.`,
  );

async function checkAccess(context: ArmContext): Promise<ArmReply> {
  const { tessera, caller } = context;
  const question = parseCheckAccessRequest(context.request.body);
  const aboutSelf = question.principalId === caller.principal.objectId.toLowerCase();
  // Refused before anything about the scope or the principal is looked up, so a caller without the
  // right learns neither whether the group exists nor whether the object id does.
  if (!aboutSelf) await context.authorize(READ_ASSIGNMENTS, question.scope);
  const scope = formatScope(await resolveScope(tessera.db, caller.tenantId, question.scope));
  if (!aboutSelf && !(await findPrincipal(tessera.db, caller.tenantId, question.principalId))) {
    throw principalNotFound(question.principalId, caller.tenantId);
  }
  const index = await tessera.access.current();
  const value = await checkAccessEntries(index, tessera.roleAssignments, { ...question, scope });
  return { status: 200, body: { value } };
}

/**
 * `POST /providers/Microsoft.Authorization/checkAccess?api-version=2021-06-01-preview`: the RBAC
 * remote PDP's decision, for the caller or (with `roleAssignments/read` at `Resource.Id`) any
 * principal of its tenant, for up to 100 actions at one scope. Who may ask depends on the body, so
 * the operation checks access itself once the body is read (64 KiB at most).
 */
export function checkAccessOperation(scope: string, name: string | undefined, method: string): ArmOperation {
  // Served at the tenant root only, as the PDP.
  if (scope !== ROOT_SCOPE || name !== undefined) {
    const below = name === undefined ? '' : `/${name}`;
    throw armErrors.notFound(
      `${scope === ROOT_SCOPE ? '' : scope}/providers/Microsoft.Authorization/checkAccess${below}`,
    );
  }
  if (method !== 'POST') throw armErrors.methodNotAllowed(method);
  return {
    api: 'checkAccess',
    action: READ_ASSIGNMENTS,
    scope: ROOT_SCOPE,
    checksOwnAccess: true,
    bodyLimit: CHECK_ACCESS_BODY_LIMIT,
    run: checkAccess,
  };
}
