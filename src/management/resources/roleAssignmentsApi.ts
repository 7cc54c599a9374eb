import type { ConditionAttributes } from '../../access/conditions/conditionAttributes.js';
import { ROLE_ASSIGNMENT_ATTRIBUTE } from '../../access/conditions/conditionCatalog.js';
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

/** The 2022-04-01 shape; `condition` and `conditionVersion` are null when the assignment has none. */
export const roleAssignmentResource = (a: RoleAssignment) => ({
  id: a.id,
  name: a.name,
  type: TYPE,
  properties: {
    roleDefinitionId: roleDefinitionIdIn(a.scope, a.roleDefinitionId),
    principalId: a.principalId,
    principalType: a.principalType,
    scope: a.scope,
    condition: a.condition,
    conditionVersion: a.conditionVersion,
    createdOn: isoFromSeconds(a.createdOn),
    updatedOn: isoFromSeconds(a.updatedOn),
    createdBy: a.createdBy,
    updatedBy: a.updatedBy,
    delegatedManagedIdentityResourceId: null,
    description: a.description,
  },
});

const assignmentId = (scope: string, name: string) =>
  `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;

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
  /** null: sent as null (an update clears it); undefined: not sent (an update keeps it). */
  description?: string | null;
  condition?: string | null;
  conditionVersion?: string | null;
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
  // Read on every api-version: a condition narrows an assignment, so ignoring one would grant more
  // than was asked for. RoleAssignments checks it (InvalidRoleAssignmentCondition).
  const nullable = (key: string) =>
    properties[key] === null ? null : optionalString(properties, key, `properties.${key}`);
  const condition = nullable('condition');
  const conditionVersion = nullable('conditionVersion');
  return {
    ...(condition !== undefined ? { condition } : {}),
    ...(conditionVersion !== undefined ? { conditionVersion } : {}),
    roleDefinitionGuid,
    principalId: principalId.toLowerCase(),
    ...(principalType ? { principalType } : {}),
    ...(properties.description !== undefined ? { description: nullable('description') } : {}),
  };
}

/** A role assignment's ABAC attributes, by the names conditions give them. */
const assignmentAttributes = (a: {
  roleDefinitionGuid: string;
  principalId: string;
  principalType?: string;
}): Record<string, string> => ({
  [ROLE_ASSIGNMENT_ATTRIBUTE.roleDefinitionId]: a.roleDefinitionGuid,
  [ROLE_ASSIGNMENT_ATTRIBUTE.principalId]: a.principalId,
  ...(a.principalType ? { [ROLE_ASSIGNMENT_ATTRIBUTE.principalType]: a.principalType } : {}),
});

/** What a write's conditions read: the body's role, principal and type (the directory's when omitted). */
async function writeAttributes(context: ArmContext): Promise<ConditionAttributes> {
  const input = readRequest(context.request.body);
  const principalType =
    input.principalType ??
    (await findPrincipal(context.tessera.db, context.caller.tenantId, input.principalId))?.type;
  return { request: assignmentAttributes({ ...input, ...(principalType ? { principalType } : {}) }) };
}

/** What a delete's conditions read: the stored assignment's; none when there is no such assignment. */
async function deleteAttributes(
  context: ArmContext,
  scope: string,
  name: string,
): Promise<ConditionAttributes> {
  const a = await findAt(context, scope, name);
  return {
    resource: a
      ? assignmentAttributes({
          roleDefinitionGuid: a.roleDefinitionId,
          principalId: a.principalId,
          principalType: a.principalType,
        })
      : {},
  };
}

/**
 * The api-versions whose REST spec gives `RoleAssignments_Create` one answer, 201, so that
 * clients generated from them (az 2.45's `role assignment update`, on 2020-04-01-preview) refuse
 * anything else, an update included; later versions declare 200 and 201.
 */
const CREATED_ONLY = new Set([
  '2015-07-01',
  '2018-01-01-preview',
  '2018-09-01-preview',
  '2020-04-01-preview',
]);
const updatedStatus = (context: ArmContext): number =>
  CREATED_ONLY.has(String(context.request.query['api-version'])) ? 201 : 200;

/** Creates the assignment (201), or updates its condition and description when it exists (`updatedStatus`). */
async function putAssignment(
  context: ArmContext,
  scope: string,
  name: string,
): Promise<{ status: number; assignment: RoleAssignment }> {
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
    // A PUT of the same who, what and where may change the condition and description (az's
    // `role assignment update`: what it sends replaces, null clears, what it leaves out stays); a
    // repeated PUT that changes nothing is idempotent. Changing who, what or where is refused.
    if (same) {
      const unchanged =
        (input.condition === undefined || input.condition === existing.condition) &&
        (input.conditionVersion === undefined || input.conditionVersion === existing.conditionVersion) &&
        (input.description === undefined || input.description === existing.description);
      if (unchanged) return { status: updatedStatus(context), assignment: existing };
      const assignment = await tessera.roleAssignments.update(caller.tenantId, name, {
        ...(input.condition !== undefined ? { condition: input.condition } : {}),
        ...(input.conditionVersion !== undefined ? { conditionVersion: input.conditionVersion } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        updatedBy: caller.principal.objectId,
      });
      return { status: updatedStatus(context), assignment };
    }
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
  const assignment = await tessera.roleAssignments.create({
    tenantId: caller.tenantId,
    scope,
    roleDefinition: input.roleDefinitionGuid,
    principalId: input.principalId,
    principalType: input.principalType,
    description: input.description ?? undefined,
    condition: input.condition,
    conditionVersion: input.conditionVersion,
    createdBy: caller.principal.objectId,
    name,
  });
  return { status: 201, assignment };
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
      return {
        ...operation(ACTION.write, async (context) => {
          const { status, assignment } = await putAssignment(context, scope, name);
          return { status, body: roleAssignmentResource(assignment) };
        }),
        resourceId: assignmentId(scope, name),
        conditionAttributes: writeAttributes,
      };
    case 'DELETE':
      return {
        ...operation(ACTION.delete, async (context) => {
          const assignment = await findAt(context, scope, name);
          if (!assignment) return { status: 204 };
          await context.tessera.roleAssignments.delete(assignment.name);
          return { status: 200, body: roleAssignmentResource(assignment) };
        }),
        resourceId: assignmentId(scope, name),
        conditionAttributes: (context) => deleteAttributes(context, scope, name),
      };
    default:
      throw armErrors.methodNotAllowed(method);
  }
}
