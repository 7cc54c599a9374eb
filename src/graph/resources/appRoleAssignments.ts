import type { AppRoleAssignment, ServicePrincipal } from '../../directory/model.js';
import { isGuid } from '../../errors.js';
import { GRAPH_APP_ID } from '../authentication.js';
import { Authorization } from '../authorization.js';
import { graphErrors } from '../errors.js';
import type { PayloadType } from '../http/body.js';
import { readPayload } from '../http/body.js';
import type { GraphContext, GraphOperation } from '../http/context.js';
import { noContent, paramOf } from '../http/context.js';
import type { Typed } from '../odata/responses.js';
import { appRoleAssignmentJson, appRoleAssignmentType } from '../shapes/appRoleAssignments.js';
import type { ObjectKind } from './objects.js';
import { PRINCIPAL_KINDS, findObject, servicePrincipalAt, userAt } from './objects.js';
import { entityReply, listReply } from './replies.js';

/** The default access role: an assignment of the app itself, for apps that define no roles. */
const DEFAULT_ACCESS = '00000000-0000-0000-0000-000000000000';

const assignmentPayload: PayloadType = {
  resource: 'AppRoleAssignment',
  odataType: 'microsoft.graph.appRoleAssignment',
  fields: {
    principalId: 'string',
    resourceId: 'string',
    appRoleId: 'string',
    principalType: 'readOnly',
    id: 'readOnly',
    createdDateTime: 'readOnly',
    principalDisplayName: 'readOnly',
    resourceDisplayName: 'readOnly',
  },
};

const principalTypes: Record<Exclude<ObjectKind, 'application'>, AppRoleAssignment['principalType']> = {
  user: 'User',
  group: 'Group',
  servicePrincipal: 'ServicePrincipal',
};

async function typedAssignment(context: GraphContext, assignment: AppRoleAssignment): Promise<Typed> {
  const [principal, resource] = await Promise.all([
    findObject(context.directory, context.tenant, assignment.principalId, PRINCIPAL_KINDS),
    context.directory.servicePrincipals.findByObjectId(context.tenant.id, assignment.resourceId),
  ]);
  const principalName = principal ? String(principal.entity.json.displayName ?? '') : null;
  return {
    type: appRoleAssignmentType,
    json: appRoleAssignmentJson(assignment, principalName, resource?.displayName ?? null),
  };
}

/** Where assignments of one object are listed: `servicePrincipals('<id>')/appRoleAssignedTo`. */
const fragmentOf = (set: string, id: string, navigation: string): string => `${set}('${id}')/${navigation}`;

/** `servicePrincipals/{id}/appRoleAssignedTo`: who holds the resource's app roles (its admin consents). */
export const listAssignedTo: GraphOperation = async (context) => {
  const resource = await servicePrincipalAt(context.directory, context.tenant, paramOf(context, 'id'));
  const assignments = await context.directory.servicePrincipals.appRoleAssignmentsTo(resource.objectId);
  const typed = await Promise.all(assignments.map((a) => typedAssignment(context, a)));
  return listReply(context, typed, fragmentOf('servicePrincipals', resource.objectId, 'appRoleAssignedTo'), [
    appRoleAssignmentType,
  ]);
};

/** `{servicePrincipals|users}/{id}/appRoleAssignments`: the app roles a principal holds. */
export const listAssignments =
  (set: 'servicePrincipals' | 'users'): GraphOperation =>
  async (context) => {
    const principalId = await principalIdOf(context, set);
    const assignments = await context.directory.servicePrincipals.appRoleAssignments(principalId);
    const typed = await Promise.all(assignments.map((a) => typedAssignment(context, a)));
    return listReply(context, typed, fragmentOf(set, principalId, 'appRoleAssignments'), [
      appRoleAssignmentType,
    ]);
  };

async function principalIdOf(context: GraphContext, set: 'servicePrincipals' | 'users'): Promise<string> {
  const key = paramOf(context, 'id');
  return set === 'users'
    ? (await userAt(context.directory, context.tenant, key)).objectId
    : (await servicePrincipalAt(context.directory, context.tenant, key)).objectId;
}

/**
 * Grants an app role: admin consent to an application permission when the principal is a service
 * principal. Microsoft Graph's own app roles are directory rights: see
 * `Authorization.mayGrantGraphPermissions`.
 */
async function grant(
  context: GraphContext,
  fixed: { resourceId?: string; principalId?: string },
): Promise<Typed> {
  const body = readPayload(context.body(), assignmentPayload);
  for (const required of ['principalId', 'resourceId', 'appRoleId']) {
    if (body[required] === undefined) throw graphErrors.required(required, 'AppRoleAssignment');
  }
  const [principalId, resourceId, appRoleId] = [body.principalId, body.resourceId, body.appRoleId].map((v) =>
    String(v).toLowerCase(),
  ) as [string, string, string];
  for (const [name, value] of Object.entries({ principalId, resourceId, appRoleId })) {
    if (!isGuid(value)) throw graphErrors.invalidValue(name, 'AppRoleAssignment');
  }
  if (fixed.resourceId !== undefined && fixed.resourceId !== resourceId) {
    throw graphErrors.badRequest(
      'The resourceId of the body must be the service principal of the request URL.',
    );
  }
  if (fixed.principalId !== undefined && fixed.principalId !== principalId) {
    throw graphErrors.badRequest('The principalId of the body must be the principal of the request URL.');
  }
  const principal = await findObject(context.directory, context.tenant, principalId, PRINCIPAL_KINDS);
  if (!principal || principal.kind === 'application') throw graphErrors.notFound(principalId);
  const resource = await context.directory.servicePrincipals.findByObjectId(context.tenant.id, resourceId);
  if (!resource) throw graphErrors.notFound(resourceId);
  const principalType = principalTypes[principal.kind];
  await checkAppRole(context, resource, appRoleId, principalType);
  if (resource.appId === GRAPH_APP_ID && !Authorization.mayGrantGraphPermissions(context.caller)) {
    throw graphErrors.forbidden();
  }
  const assignment = await context.directory.servicePrincipals.assignAppRole({
    tenantId: context.tenant.id,
    principal: { objectId: principalId },
    principalType,
    resource,
    appRoleId,
  });
  return typedAssignment(context, assignment);
}

async function checkAppRole(
  context: GraphContext,
  resource: ServicePrincipal,
  appRoleId: string,
  principalType: AppRoleAssignment['principalType'],
): Promise<void> {
  const app = await context.directory.applications.findByAppId(resource.appId);
  const role = app?.appRoles.find((r) => r.id.toLowerCase() === appRoleId && r.isEnabled);
  const memberType = principalType === 'ServicePrincipal' ? 'Application' : 'User';
  if (appRoleId === DEFAULT_ACCESS && memberType === 'User') return;
  if (!role || !role.allowedMemberTypes.includes(memberType)) {
    throw graphErrors.badRequest(
      `Permission being assigned was not found on application '${resource.appId}'.`,
    );
  }
}

export const grantAssignedTo: GraphOperation = async (context) => {
  const resource = await servicePrincipalAt(context.directory, context.tenant, paramOf(context, 'id'));
  const typed = await grant(context, { resourceId: resource.objectId });
  return entityReply(
    context,
    typed,
    fragmentOf('servicePrincipals', resource.objectId, 'appRoleAssignedTo'),
    201,
  );
};

export const grantAssignment =
  (set: 'servicePrincipals' | 'users'): GraphOperation =>
  async (context) => {
    const principalId = await principalIdOf(context, set);
    const typed = await grant(context, { principalId });
    return entityReply(context, typed, fragmentOf(set, principalId, 'appRoleAssignments'), 201);
  };

/** DELETE of one assignment, through the resource (`appRoleAssignedTo`) or the principal (`appRoleAssignments`). */
export const revoke =
  (
    through: 'resource' | 'principal',
    set: 'servicePrincipals' | 'users' = 'servicePrincipals',
  ): GraphOperation =>
  async (context) => {
    const ownerId =
      through === 'resource'
        ? (await servicePrincipalAt(context.directory, context.tenant, paramOf(context, 'id'))).objectId
        : await principalIdOf(context, set);
    const assignmentId = paramOf(context, 'assignmentId').value;
    const assignment = await context.directory.servicePrincipals.findAppRoleAssignment(
      context.tenant.id,
      assignmentId,
    );
    const owned =
      assignment && (through === 'resource' ? assignment.resourceId : assignment.principalId) === ownerId;
    if (!assignment || !owned) throw graphErrors.notFound(assignmentId);
    const resource = await context.directory.servicePrincipals.findByObjectId(
      context.tenant.id,
      assignment.resourceId,
    );
    if (resource?.appId === GRAPH_APP_ID && !Authorization.mayGrantGraphPermissions(context.caller)) {
      throw graphErrors.forbidden();
    }
    await context.directory.servicePrincipals.removeAppRoleAssignment(assignment);
    return noContent();
  };
