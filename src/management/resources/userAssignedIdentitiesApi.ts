import { isoFromSeconds } from '../../clock.js';
import { managedIdentitiesOf } from '../../identity/managedIdentities.js';
import { USER_ASSIGNED_IDENTITY_TYPE } from '../../identity/model.js';
import type { UserAssignedIdentity } from '../../identity/model.js';
import type { ArmContext, ArmOperation } from '../arm/context.js';
import { visibleItems } from '../arm/authorization.js';
import { objectBody, optionalString, optionalTags } from '../arm/body.js';
import { armErrors } from '../arm/errors.js';
import type { ArmTarget } from '../arm/path.js';
import { page } from '../arm/paging.js';
import type { ProviderLocation } from './providerScopes.js';
import { collectionScope, resourceScope } from './providerScopes.js';

const ACTION = {
  read: 'Microsoft.ManagedIdentity/userAssignedIdentities/read',
  write: 'Microsoft.ManagedIdentity/userAssignedIdentities/write',
  delete: 'Microsoft.ManagedIdentity/userAssignedIdentities/delete',
};

type ProviderTarget = Extract<ArmTarget, { kind: 'providerResource' }>;

/** Whether a provider path names `Microsoft.ManagedIdentity/userAssignedIdentities`. */
export const isUserAssignedIdentityTarget = (target: ProviderTarget): boolean =>
  `${target.namespace}/${target.type}`.toLowerCase() === USER_ASSIGNED_IDENTITY_TYPE.toLowerCase();

export const userAssignedIdentityResource = (identity: UserAssignedIdentity) => ({
  id: identity.id,
  name: identity.name,
  type: USER_ASSIGNED_IDENTITY_TYPE,
  location: identity.location,
  tags: identity.tags,
  properties: {
    tenantId: identity.tenantId,
    principalId: identity.principalId,
    clientId: identity.clientId,
    isolationScope: 'None',
  },
  systemData: { createdAt: isoFromSeconds(identity.createdAt) },
});

const identities = (context: ArmContext) => managedIdentitiesOf(context.tessera.db).userAssigned;

function listUserAssignedIdentities(at: ProviderLocation): ArmOperation {
  const scope = collectionScope(at);
  return {
    api: 'userAssignedIdentities',
    action: ACTION.read,
    scope,
    checksOwnAccess: true,
    async run(context) {
      // A group that does not exist is ARM's 404, not an empty list.
      if (at.resourceGroup !== undefined)
        await context.tessera.resourceGroups.get(at.subscriptionId, at.resourceGroup);
      const all = await identities(context).list(at);
      const visible = await visibleItems(
        context,
        { action: ACTION.read, scope, refuseWhenEmpty: true },
        all,
        (i) => i.id,
      );
      return { status: 200, body: page(visible.map(userAssignedIdentityResource), context.request) };
    },
  };
}

/** One identity: GET, PUT (create, or replace tags), PATCH (tags), DELETE. */
function userAssignedIdentityOperation(
  subscriptionId: string,
  resourceGroup: string,
  name: string,
  method: string,
): ArmOperation {
  const scope = resourceScope(subscriptionId, resourceGroup, USER_ASSIGNED_IDENTITY_TYPE, name);
  const operation = (action: string, run: ArmOperation['run']): ArmOperation => ({
    api: 'userAssignedIdentities',
    action,
    scope,
    run,
  });
  switch (method) {
    case 'GET':
      return operation(ACTION.read, async (context) => ({
        status: 200,
        body: userAssignedIdentityResource(
          await identities(context).get(subscriptionId, resourceGroup, name),
        ),
      }));
    case 'PUT':
      return operation(ACTION.write, async (context) => {
        const body = objectBody(context.request.body);
        const location = optionalString(body, 'location');
        if (!location) throw armErrors.locationRequired();
        const tags = optionalTags(body);
        const { identity, created } = await identities(context).createOrUpdate({
          subscriptionId,
          resourceGroup,
          name,
          location,
          ...(tags !== undefined && { tags }),
        });
        return { status: created ? 201 : 200, body: userAssignedIdentityResource(identity) };
      });
    case 'PATCH':
      return operation(ACTION.write, async (context) => {
        const body = objectBody(context.request.body);
        const existing = await identities(context).get(subscriptionId, resourceGroup, name);
        const { identity } = await identities(context).createOrUpdate({
          subscriptionId,
          resourceGroup,
          name: existing.name,
          location: optionalString(body, 'location') ?? existing.location,
          tags: optionalTags(body) ?? existing.tags,
        });
        return { status: 200, body: userAssignedIdentityResource(identity) };
      });
    case 'DELETE':
      return operation(ACTION.delete, async (context) => {
        const deleted = await identities(context).delete(subscriptionId, resourceGroup, name);
        return { status: deleted ? 200 : 204 };
      });
    default:
      throw armErrors.methodNotAllowed(method);
  }
}

/** `Microsoft.ManagedIdentity/userAssignedIdentities` in a group or a whole subscription. */
export function userAssignedIdentitiesOperation(target: ProviderTarget, method: string): ArmOperation {
  const { resourceGroup, name } = target;
  if (target.action !== undefined) throw armErrors.methodNotAllowed(method);
  if (name === undefined || resourceGroup === undefined) {
    if (method !== 'GET') throw armErrors.methodNotAllowed(method);
    return listUserAssignedIdentities({
      subscriptionId: target.subscriptionId,
      ...(resourceGroup !== undefined && { resourceGroup }),
    });
  }
  return userAssignedIdentityOperation(target.subscriptionId, resourceGroup, name, method);
}
