import type { RoleAssignment } from '../../access/roleAssignments.js';
import { scopeKey } from '../../access/scopeKey.js';
import { isoFromSeconds } from '../../clock.js';
import { findPrincipal } from '../../directory/principals.js';
import { isGuid } from '../../errors.js';
import type { ArmContext, ArmOperation } from '../arm/context.js';
import { objectBody, optionalObject, optionalString } from '../arm/body.js';
import { ArmError, armErrors } from '../arm/errors.js';
import { parseFilter } from '../arm/filters.js';
import { page } from '../arm/paging.js';
import { assignmentScope } from './authorizationScope.js';
import { checkAssignmentTarget } from '../assignmentTargets.js';
import { appliesAt, relatedTo } from './scopeRelations.js';

const ACTION = {
  read: 'Microsoft.Authorization/roleAssignments/read',
  write: 'Microsoft.Authorization/roleAssignments/write',
  delete: 'Microsoft.Authorization/roleAssignments/delete',
};

const TYPE = 'Microsoft.Authorization/roleAssignments';
const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup'] as const;
const DEFINITION_ID =
  /^(?:\/subscriptions\/[0-9a-f-]{36})?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/i;

export const roleDefinitionIdIn = (scope: string, definitionGuid: string): string =>
  `/subscriptions/${assignmentScope(scope).subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${definitionGuid}`;

/** The 2022-04-01 shape. Conditions are not supported, so they are always null. */
export const roleAssignmentResource = (a: RoleAssignment) => ({
  id: a.id,
  name: a.name,
  type: TYPE,
  properties: {
    roleDefinitionId: roleDefinitionIdIn(a.scope, a.roleDefinitionId),
    principalId: a.principalId,
    principalType: a.principalType,
    scope: a.scope,
    condition: null,
    conditionVersion: null,
    createdOn: isoFromSeconds(a.createdOn),
    updatedOn: isoFromSeconds(a.updatedOn),
    createdBy: a.createdBy,
    updatedBy: a.createdBy,
    delegatedManagedIdentityResourceId: null,
    description: a.description,
  },
});

const notFound = (name: string) =>
  new ArmError(404, 'RoleAssignmentNotFound', `The role assignment '${name}' is not found.`);

/** The assignment named `name` if it was made at exactly `scope` (ids name both). */
async function findAt(context: ArmContext, scope: string, name: string): Promise<RoleAssignment | undefined> {
  const assignment = await context.tessera.roleAssignments.find(name);
  return assignment && scopeKey(assignment.scope) === scopeKey(scope) ? assignment : undefined;
}

/**
 * ARM's listForScope: without a filter, assignments at, above and below the scope; `atScope()`
 * keeps those at or above; `principalId eq` one principal; `assignedTo()` a principal and the
 * groups it belongs to, transitively. Oldest first, so paging is stable.
 */
async function listAssignments(context: ArmContext, scope: string): Promise<RoleAssignment[]> {
  const clauses = parseFilter(context.request.query['$filter'], ['atScope', 'principalId', 'assignedTo']);
  let assignments = (await context.tessera.roleAssignments.list()).filter((a) => relatedTo(a.scope, scope));
  for (const clause of clauses) {
    if (clause.kind === 'atScope') {
      assignments = assignments.filter((a) => appliesAt(a.scope, scope));
    } else if (clause.kind === 'eq') {
      const principal = clause.value.toLowerCase();
      assignments = assignments.filter((a) => a.principalId === principal);
    } else {
      const identities = new Set((await context.tessera.access.current()).identitiesOf(clause.value));
      assignments = assignments.filter((a) => identities.has(a.principalId));
    }
  }
  return assignments;
}

interface AssignmentRequest {
  roleDefinitionGuid: string;
  principalId: string;
  principalType?: (typeof PRINCIPAL_TYPES)[number];
  description?: string;
}

function readRequest(body: unknown): AssignmentRequest {
  const properties = optionalObject(objectBody(body), 'properties');
  if (!properties) throw armErrors.invalidRequestFormat("The request body must have a 'properties' object.");
  const definitionId = optionalString(properties, 'roleDefinitionId', 'properties.roleDefinitionId') ?? '';
  const roleDefinitionGuid = DEFINITION_ID.exec(definitionId)?.[1]?.toLowerCase();
  if (!roleDefinitionGuid) {
    throw new ArmError(
      400,
      'InvalidRoleDefinitionId',
      `The role definition ID '${definitionId}' is not valid.`,
    );
  }
  const principalId = optionalString(properties, 'principalId', 'properties.principalId') ?? '';
  if (!isGuid(principalId)) {
    throw new ArmError(
      400,
      'InvalidPrincipalId',
      `The principal ID '${principalId}' is not valid. It must be a GUID.`,
    );
  }
  const type = optionalString(properties, 'principalType', 'properties.principalType');
  const principalType = PRINCIPAL_TYPES.find((t) => t.toLowerCase() === type?.toLowerCase());
  if (type !== undefined && !principalType) {
    throw armErrors.invalidRequestContent(
      `The principal type '${type}' is not one of ${PRINCIPAL_TYPES.join(', ')}.`,
    );
  }
  // A condition narrows an assignment; ignoring one would grant more than was asked for.
  const condition = optionalString(properties, 'condition', 'properties.condition');
  if (condition) {
    throw new ArmError(
      400,
      'ConditionNotSupported',
      'Role assignment conditions (ABAC) are not supported by Tessera.',
    );
  }
  return {
    roleDefinitionGuid,
    principalId: principalId.toLowerCase(),
    ...(principalType ? { principalType } : {}),
    ...(properties.description !== undefined
      ? { description: optionalString(properties, 'description', 'properties.description') }
      : {}),
  };
}

async function createAssignment(context: ArmContext, scope: string, name: string): Promise<RoleAssignment> {
  const { tessera, caller } = context;
  if (!isGuid(name)) {
    throw new ArmError(
      400,
      'InvalidRoleAssignmentId',
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    );
  }
  const input = readRequest(context.request.body);
  const existing = await tessera.roleAssignments.find(name);
  if (existing) {
    const same =
      scopeKey(existing.scope) === scopeKey(scope) &&
      existing.principalId === input.principalId &&
      existing.roleDefinitionId === input.roleDefinitionGuid;
    // A repeated PUT is idempotent; changing who, what or where is not an update ARM allows.
    if (same) return existing;
    throw new ArmError(
      400,
      'RoleAssignmentUpdateNotPermitted',
      'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
    );
  }
  const principal = await findPrincipal(tessera.db, caller.tenantId, input.principalId);
  if (principal && input.principalType && input.principalType !== principal.type) {
    throw new ArmError(
      400,
      'UnmatchedPrincipalType',
      `The PrincipalId '${input.principalId}' has type '${principal.type}', which is different from specified PrincipalType '${input.principalType}'.`,
    );
  }
  await checkAssignmentTarget(tessera, {
    tenantId: caller.tenantId,
    roleDefinition: input.roleDefinitionGuid,
    scope,
    name,
  });
  return tessera.roleAssignments.create({
    tenantId: caller.tenantId,
    scope,
    roleDefinition: input.roleDefinitionGuid,
    principalId: input.principalId,
    principalType: input.principalType,
    description: input.description,
    createdBy: caller.principal.objectId,
    name,
  });
}

/** `{scope}/providers/Microsoft.Authorization/roleAssignments[/{name}]`. */
export function roleAssignmentsOperation(
  scope: string,
  name: string | undefined,
  method: string,
): ArmOperation {
  assignmentScope(scope);
  const operation = (action: string, run: ArmOperation['run']): ArmOperation => ({
    api: 'roleAssignments',
    action,
    scope,
    run,
  });
  if (name === undefined) {
    if (method !== 'GET') throw armErrors.methodNotAllowed(method);
    // Listing needs read at the scope itself, as in ARM.
    return operation(ACTION.read, async (context) => {
      const assignments = await listAssignments(context, scope);
      return { status: 200, body: page(assignments.map(roleAssignmentResource), context.request) };
    });
  }
  switch (method) {
    case 'GET':
      return operation(ACTION.read, async (context) => {
        const assignment = await findAt(context, scope, name);
        if (!assignment) throw notFound(name);
        return { status: 200, body: roleAssignmentResource(assignment) };
      });
    case 'PUT':
      return operation(ACTION.write, async (context) => ({
        status: 201,
        body: roleAssignmentResource(await createAssignment(context, scope, name)),
      }));
    case 'DELETE':
      return operation(ACTION.delete, async (context) => {
        const assignment = await findAt(context, scope, name);
        if (!assignment) return { status: 204 };
        await context.tessera.roleAssignments.delete(assignment.name);
        return { status: 200, body: roleAssignmentResource(assignment) };
      });
    default:
      throw armErrors.methodNotAllowed(method);
  }
}
