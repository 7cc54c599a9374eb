import type { ArmOperation } from '../arm/context.js';
import { visibleItems } from '../arm/authorization.js';
import { objectBody, optionalString, optionalTags } from '../arm/body.js';
import { armErrors } from '../arm/errors.js';
import { page } from '../arm/paging.js';
import type { ResourceGroup } from '../resourceGroups.js';
import { resourceGroupNotFound, resourceGroupScope } from '../resourceGroups.js';
import { subscriptionScope } from './subscriptionsApi.js';

const ACTION = {
  read: 'Microsoft.Resources/subscriptions/resourceGroups/read',
  write: 'Microsoft.Resources/subscriptions/resourceGroups/write',
  delete: 'Microsoft.Resources/subscriptions/resourceGroups/delete',
};

export const resourceGroupResource = (group: ResourceGroup) => ({
  id: resourceGroupScope(group.subscriptionId, group.name),
  name: group.name,
  type: 'Microsoft.Resources/resourceGroups',
  location: group.location,
  tags: group.tags,
  properties: { provisioningState: 'Succeeded' },
});

export function listResourceGroups(subscriptionId: string): ArmOperation {
  const scope = subscriptionScope(subscriptionId);
  return {
    api: 'resourceGroups',
    action: ACTION.read,
    scope,
    checksOwnAccess: true,
    async run(context) {
      const groups = await context.tessera.resourceGroups.list(subscriptionId);
      const visible = await visibleItems(
        context,
        { action: ACTION.read, scope, refuseWhenEmpty: true },
        groups,
        (g) => resourceGroupScope(g.subscriptionId, g.name),
      );
      return { status: 200, body: page(visible.map(resourceGroupResource), context.request) };
    },
  };
}

/** GET, HEAD (az group exists: 204 or 404), PUT, PATCH (tags) and DELETE of one group. */
export function resourceGroupOperation(subscriptionId: string, name: string, method: string): ArmOperation {
  const scope = resourceGroupScope(subscriptionId, name);
  const operation = (action: string, run: ArmOperation['run']): ArmOperation => ({
    api: 'resourceGroups',
    action,
    scope,
    run,
  });
  switch (method) {
    case 'GET':
      return operation(ACTION.read, async ({ tessera }) => ({
        status: 200,
        body: resourceGroupResource(await tessera.resourceGroups.get(subscriptionId, name)),
      }));
    case 'HEAD':
      return operation(ACTION.read, async ({ tessera }) => ({
        status: (await tessera.resourceGroups.find(subscriptionId, name)) ? 204 : 404,
      }));
    case 'PUT':
      return operation(ACTION.write, async ({ tessera, request }) => {
        const body = objectBody(request.body);
        const location = optionalString(body, 'location');
        if (!location) throw armErrors.locationRequired();
        const { group, created } = await tessera.resourceGroups.createOrUpdate({
          subscriptionId,
          name,
          location,
          tags: optionalTags(body),
        });
        return { status: created ? 201 : 200, body: resourceGroupResource(group) };
      });
    case 'PATCH':
      return operation(ACTION.write, async ({ tessera, request }) => {
        const body = objectBody(request.body);
        const existing = await tessera.resourceGroups.get(subscriptionId, name);
        const { group } = await tessera.resourceGroups.createOrUpdate({
          ...existing,
          tags: optionalTags(body) ?? existing.tags,
        });
        return { status: 200, body: resourceGroupResource(group) };
      });
    case 'DELETE':
      // Synchronous: the group and everything in it are gone when the 200 is sent.
      return operation(ACTION.delete, async ({ tessera }) => {
        const deleted = await tessera.resourceGroups.delete(subscriptionId, name);
        if (!deleted) throw resourceGroupNotFound(name);
        return { status: 200 };
      });
    default:
      throw armErrors.methodNotAllowed(method);
  }
}
