import type { ArmContext, ArmOperation } from '../arm/context.js';
import { originWithPort } from '../../server/origins.js';
import { visibleItems } from '../arm/authorization.js';
import { isObject, objectBody, optionalObject, optionalString, optionalTags } from '../arm/body.js';
import { armErrors } from '../arm/errors.js';
import { page } from '../arm/paging.js';
import type { MediaServicesAccount, StorageAccountReference } from '../mediaServices.js';
import { MEDIA_SERVICES_TYPE } from '../mediaServices.js';
import { isoFromSeconds } from '../../clock.js';
import type { ProviderLocation } from './providerScopes.js';
import { collectionScope, resourceScope } from './providerScopes.js';

const ACTION = {
  read: 'Microsoft.Media/mediaservices/read',
  write: 'Microsoft.Media/mediaservices/write',
  delete: 'Microsoft.Media/mediaservices/delete',
};

/**
 * The account's Media Services v2 REST endpoint: on the account's own origin (a port of its own),
 * on the host name the client called; path-style on Tessera's origin until it has a port.
 */
export const mediaServicesV2Endpoint = (
  origin: string,
  account: Pick<MediaServicesAccount, 'name' | 'port'>,
): string =>
  account.port === null
    ? `${origin}/media/${account.name}/api/`
    : `${originWithPort(origin, account.port)}/api/`;

export const mediaServicesResource = (account: MediaServicesAccount, origin: string) => ({
  id: account.id,
  name: account.name,
  type: MEDIA_SERVICES_TYPE,
  location: account.location,
  tags: account.tags,
  properties: {
    mediaServiceId: account.mediaServiceId,
    provisioningState: 'Succeeded',
    storageAccounts: account.storageAccounts,
    storageAuthentication: 'System',
    encryption: { type: 'SystemKey' },
    publicNetworkAccess: 'Enabled',
    minimumTlsVersion: 'Tls12',
    privateEndpointConnections: [],
    // The 2015-10-01 shape: where the v2 REST API (assets, jobs, locators) is served.
    apiEndpoints: [{ endpoint: mediaServicesV2Endpoint(origin, account), majorVersion: '2' }],
  },
  systemData: { createdAt: isoFromSeconds(account.createdAt) },
});

function storageAccounts(properties: Record<string, unknown>): StorageAccountReference[] | undefined {
  const value = properties.storageAccounts;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((a) => isObject(a) && typeof a.id === 'string')) {
    throw armErrors.invalidRequestContent('properties.storageAccounts must be an array of {id, type}.');
  }
  return value.map((a: Record<string, unknown>) => ({
    id: String(a.id),
    type: typeof a.type === 'string' ? a.type : 'Primary',
  }));
}

export function listMediaServices(at: ProviderLocation): ArmOperation {
  const scope = collectionScope(at);
  return {
    api: 'mediaservices',
    action: ACTION.read,
    scope,
    checksOwnAccess: true,
    async run(context) {
      const accounts = await context.tessera.mediaServices.list(at);
      const visible = await visibleItems(
        context,
        { action: ACTION.read, scope, refuseWhenEmpty: true },
        accounts,
        (a) => a.id,
      );
      const origin = context.request.origin;
      return {
        status: 200,
        body: page(
          visible.map((a) => mediaServicesResource(a, origin)),
          context.request,
        ),
      };
    },
  };
}

export function mediaServicesOperation(
  subscriptionId: string,
  resourceGroup: string,
  name: string,
  method: string,
): ArmOperation {
  const scope = resourceScope(subscriptionId, resourceGroup, MEDIA_SERVICES_TYPE, name);
  const operation = (action: string, run: ArmOperation['run']): ArmOperation => ({
    api: 'mediaservices',
    action,
    scope,
    run,
  });
  const accounts = (context: ArmContext) => context.tessera.mediaServices;
  switch (method) {
    case 'GET':
      return operation(ACTION.read, async (context) => ({
        status: 200,
        body: mediaServicesResource(
          await accounts(context).get(subscriptionId, resourceGroup, name),
          context.request.origin,
        ),
      }));
    case 'PUT':
      return operation(ACTION.write, async (context) => {
        const body = objectBody(context.request.body);
        const location = optionalString(body, 'location');
        if (!location) throw armErrors.locationRequired();
        const { account, created } = await accounts(context).createOrUpdate({
          subscriptionId,
          resourceGroup,
          name,
          location,
          tags: optionalTags(body),
          storageAccounts: storageAccounts(optionalObject(body, 'properties') ?? {}),
        });
        return { status: created ? 201 : 200, body: mediaServicesResource(account, context.request.origin) };
      });
    case 'DELETE':
      return operation(ACTION.delete, async (context) => {
        const deleted = await accounts(context).delete(subscriptionId, resourceGroup, name);
        return { status: deleted ? 200 : 204 };
      });
    default:
      throw armErrors.methodNotAllowed(method);
  }
}
