import { MICROSOFT_SERVICES_TENANT_ID } from '../../directory/firstParty.js';
import { isGuid } from '../../errors.js';
import { graphErrors } from '../errors.js';
import type { PayloadType } from '../http/body.js';
import { readPayload } from '../http/body.js';
import type { GraphContext, GraphOperation } from '../http/context.js';
import { noContent, paramOf } from '../http/context.js';
import { groupType } from '../shapes/groups.js';
import { servicePrincipalType } from '../shapes/servicePrincipals.js';
import { transitiveGroupsOf } from './memberships.js';
import { servicePrincipalAt, typedGroup, typedServicePrincipal, withODataType } from './objects.js';
import { countReply, entityReply, listReply } from './replies.js';

const servicePrincipalPayload: PayloadType = {
  resource: 'ServicePrincipal',
  odataType: 'microsoft.graph.servicePrincipal',
  fields: {
    appId: 'string',
    accountEnabled: 'boolean',
    id: 'readOnly',
    servicePrincipalNames: 'readOnly',
    appDisplayName: 'readOnly',
    appOwnerOrganizationId: 'readOnly',
    appRoles: 'readOnly',
    oauth2PermissionScopes: 'readOnly',
    // Graph's properties that Tessera does not keep: accepted only empty.
    appRoleAssignmentRequired: 'unkept',
    displayName: 'unkept',
    description: 'unkept',
    notes: 'unkept',
    tags: 'unkept',
    homepage: 'unkept',
    loginUrl: 'unkept',
    logoutUrl: 'unkept',
    replyUrls: 'unkept',
    notificationEmailAddresses: 'unkept',
    preferredSingleSignOnMode: 'unkept',
  },
};

/** PATCH: what a tenant decides about its principal; the rest is the application's, or Graph's. */
const servicePrincipalChangePayload: PayloadType = {
  ...servicePrincipalPayload,
  fields: {
    ...servicePrincipalPayload.fields,
    accountEnabled: 'boolean',
    displayName: 'string',
    appId: 'readOnly',
    servicePrincipalType: 'readOnly',
    signInAudience: 'readOnly',
  },
};

const servicePrincipalOf = (context: GraphContext) =>
  servicePrincipalAt(context.directory, context.tenant, paramOf(context, 'id'));

/** Every principal of the tenant with its names, read in one query rather than one per principal. */
async function typedServicePrincipals(context: GraphContext) {
  const [principals, names] = await Promise.all([
    context.directory.servicePrincipals.list(context.tenant.id),
    context.directory.servicePrincipals.namesInTenant(context.tenant.id),
  ]);
  return Promise.all(
    principals.map((sp) => typedServicePrincipal(context.directory, sp, names.get(sp.objectId) ?? [])),
  );
}

export const listServicePrincipals: GraphOperation = async (context) =>
  listReply(context, await typedServicePrincipals(context), 'servicePrincipals', [servicePrincipalType]);

export const countServicePrincipals: GraphOperation = async (context) =>
  countReply(context, await typedServicePrincipals(context), [servicePrincipalType]);

export const getServicePrincipal: GraphOperation = async (context) =>
  entityReply(
    context,
    await typedServicePrincipal(context.directory, await servicePrincipalOf(context)),
    'servicePrincipals',
  );

/**
 * `az ad sp create --id <appId>`: instantiates an application of this tenant, or a multi-tenant
 * one of another, in the caller's tenant. A second principal for the same app is a conflict.
 */
export const createServicePrincipal: GraphOperation = async (context) => {
  const body = readPayload(context.body(), servicePrincipalPayload);
  const appId = body.appId;
  if (appId === undefined) throw graphErrors.required('appId', 'ServicePrincipal');
  if (!isGuid(appId as string)) throw graphErrors.invalidValue('appId', 'ServicePrincipal');
  if (body.accountEnabled === false) {
    throw graphErrors.badRequest(
      'Tessera creates service principals enabled: leave accountEnabled out or true.',
    );
  }
  const sp = await context.directory.createServicePrincipal(context.tenant, appId as string);
  return entityReply(context, await typedServicePrincipal(context.directory, sp), 'servicePrincipals', 201);
};

/**
 * PATCH: `accountEnabled` (false: no token for the app in this tenant, as a client or as a
 * resource) and `displayName`. A managed identity's principal follows its identity resource,
 * which ARM manages, so Graph does not change it.
 */
export const updateServicePrincipal: GraphOperation = async (context) => {
  const sp = await servicePrincipalOf(context);
  const body = readPayload(context.body(), servicePrincipalChangePayload);
  if (!(await context.directory.applications.findByAppId(sp.appId))) {
    throw graphErrors.badRequest(
      `The service principal '${sp.objectId}' belongs to a managed identity: manage it through its identity resource.`,
    );
  }
  if (typeof body.displayName === 'string' && !body.displayName.trim()) {
    throw graphErrors.invalidValue('displayName', 'ServicePrincipal');
  }
  await context.directory.servicePrincipals.update(sp, {
    ...(typeof body.accountEnabled === 'boolean' && { accountEnabled: body.accountEnabled }),
    ...(typeof body.displayName === 'string' && { displayName: body.displayName }),
  });
  return noContent();
};

/** Microsoft's first-party principals are part of every tenant (Tessera provisions them at every start). */
export const deleteServicePrincipal: GraphOperation = async (context) => {
  const sp = await servicePrincipalOf(context);
  if (sp.appOwnerTenantId === MICROSOFT_SERVICES_TENANT_ID) {
    throw graphErrors.badRequest(
      `The service principal of '${sp.displayName}' belongs to a Microsoft first-party application and cannot be deleted.`,
    );
  }
  await context.directory.servicePrincipals.delete(sp);
  return noContent();
};

export const servicePrincipalMemberOf =
  (transitive: boolean): GraphOperation =>
  async (context) => {
    const sp = await servicePrincipalOf(context);
    const groups = transitive
      ? await transitiveGroupsOf(context.directory, context.tenant.id, sp.objectId)
      : await context.directory.groups.groupsOf(context.tenant.id, sp.objectId);
    return listReply(
      context,
      groups.map((g) => withODataType(typedGroup(g))),
      'directoryObjects',
      [groupType],
    );
  };
