import type { ArmContext, ArmOperation } from '../arm/context.js';
import { originWithPort } from '../../server/origins.js';
import { visibleItems } from '../arm/authorization.js';
import {
  objectBody,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalTags,
} from '../arm/body.js';
import { ArmError, armErrors } from '../arm/errors.js';
import { page } from '../arm/paging.js';
import type { AccessKey } from '../configurationStoreKeys.js';
import type { ConfigurationStore } from '../configurationStores.js';
import { CONFIGURATION_STORE_TYPE } from '../configurationStores.js';
import { isoFromSeconds } from '../../clock.js';
import type { ProviderLocation } from './providerScopes.js';
import { collectionScope, resourceScope } from './providerScopes.js';

/** Access keys are secrets: no cache on the way may keep them (ARM sends both headers). */
const SECRET_HEADERS = { 'cache-control': 'no-cache', pragma: 'no-cache' };

const ACTION = {
  read: 'Microsoft.AppConfiguration/configurationStores/read',
  write: 'Microsoft.AppConfiguration/configurationStores/write',
  delete: 'Microsoft.AppConfiguration/configurationStores/delete',
  listKeys: 'Microsoft.AppConfiguration/configurationStores/ListKeys/action',
  regenerateKey: 'Microsoft.AppConfiguration/configurationStores/RegenerateKey/action',
};

/**
 * The data-plane endpoint: the store's own origin (a port of its own, so no DNS set-up is needed),
 * on the host name the client called, never stored. A store not yet given a port (made by an older
 * release, before a server assigned one) is path-style on Tessera's origin.
 */
export const configurationStoreEndpoint = (
  origin: string,
  store: Pick<ConfigurationStore, 'name' | 'port'>,
): string => (store.port === null ? `${origin}/appconfig/${store.name}` : originWithPort(origin, store.port));

export const configurationStoreResource = (store: ConfigurationStore, origin: string) => ({
  id: store.id,
  name: store.name,
  type: CONFIGURATION_STORE_TYPE,
  location: store.location,
  tags: store.tags,
  sku: { name: store.sku },
  properties: {
    provisioningState: 'Succeeded',
    creationDate: isoFromSeconds(store.createdAt),
    endpoint: configurationStoreEndpoint(origin, store),
    encryption: { keyVaultProperties: null },
    privateEndpointConnections: null,
    disableLocalAuth: store.disableLocalAuth,
    publicNetworkAccess: store.publicNetworkAccess,
    softDeleteRetentionInDays: store.softDeleteRetentionInDays,
    enablePurgeProtection: store.enablePurgeProtection,
  },
});

export const accessKeyResource = (key: AccessKey, endpoint: string) => ({
  id: key.id,
  name: key.name,
  value: key.value,
  connectionString: `Endpoint=${endpoint};Id=${key.id};Secret=${key.value}`,
  lastModified: isoFromSeconds(key.lastModified),
  readOnly: key.readOnly,
});

export function listConfigurationStores(at: ProviderLocation): ArmOperation {
  const scope = collectionScope(at);
  return {
    api: 'configurationStores',
    action: ACTION.read,
    scope,
    checksOwnAccess: true,
    async run(context) {
      const stores = await context.tessera.configurationStores.list(at);
      const visible = await visibleItems(
        context,
        { action: ACTION.read, scope, refuseWhenEmpty: true },
        stores,
        (s) => s.id,
      );
      const origin = context.request.origin;
      return {
        status: 200,
        body: page(
          visible.map((s) => configurationStoreResource(s, origin)),
          context.request,
        ),
      };
    },
  };
}

function storeInput(context: ArmContext) {
  const body = objectBody(context.request.body);
  const location = optionalString(body, 'location');
  if (!location) throw armErrors.locationRequired();
  const sku = optionalString(optionalObject(body, 'sku') ?? {}, 'name', 'sku.name');
  if (!sku)
    throw new ArmError(400, 'InvalidSku', 'The sku property is required: {"sku":{"name":"standard"}}.');
  const properties = optionalObject(body, 'properties') ?? {};
  const accessText = optionalString(properties, 'publicNetworkAccess', 'properties.publicNetworkAccess');
  const access = (['Enabled', 'Disabled'] as const).find(
    (a) => a.toLowerCase() === accessText?.toLowerCase(),
  );
  if (accessText !== undefined && !access) {
    throw armErrors.invalidRequestContent("properties.publicNetworkAccess must be 'Enabled' or 'Disabled'.");
  }
  return {
    location,
    sku,
    tags: optionalTags(body),
    disableLocalAuth: optionalBoolean(properties, 'disableLocalAuth', 'properties.disableLocalAuth'),
    publicNetworkAccess: access,
    softDeleteRetentionInDays: optionalInteger(
      properties,
      'softDeleteRetentionInDays',
      'properties.softDeleteRetentionInDays',
    ),
    enablePurgeProtection: optionalBoolean(
      properties,
      'enablePurgeProtection',
      'properties.enablePurgeProtection',
    ),
  };
}

/** listKeys takes no body and regenerateKey one key id (`{"id":"…"}`): 4 KiB holds either. */
const KEY_ACTION_BODY_LIMIT = 4 * 1024;

/** One store: GET, PUT, DELETE, and the POST actions listKeys and regenerateKey. */
export function configurationStoreOperation(
  subscriptionId: string,
  resourceGroup: string,
  name: string,
  method: string,
  action: string | undefined,
): ArmOperation {
  const scope = resourceScope(subscriptionId, resourceGroup, CONFIGURATION_STORE_TYPE, name);
  const operation = (rbacAction: string, run: ArmOperation['run']): ArmOperation => ({
    api: 'configurationStores',
    action: rbacAction,
    scope,
    run,
  });
  const withBodyLimit = (bodyLimit: number, rbacAction: string, run: ArmOperation['run']): ArmOperation => ({
    ...operation(rbacAction, run),
    bodyLimit,
  });
  const stores = (context: ArmContext) => context.tessera.configurationStores;
  if (action !== undefined) {
    if (method !== 'POST') throw armErrors.methodNotAllowed(method);
    switch (action.toLowerCase()) {
      case 'listkeys':
        return withBodyLimit(KEY_ACTION_BODY_LIMIT, ACTION.listKeys, async (context) => {
          const store = await stores(context).get(subscriptionId, resourceGroup, name);
          const endpoint = configurationStoreEndpoint(context.request.origin, store);
          const keys = await stores(context).keys.list(store.name);
          return {
            status: 200,
            headers: SECRET_HEADERS,
            body: { value: keys.map((k) => accessKeyResource(k, endpoint)) },
          };
        });
      case 'regeneratekey':
        return withBodyLimit(KEY_ACTION_BODY_LIMIT, ACTION.regenerateKey, async (context) => {
          const id = optionalString(objectBody(context.request.body), 'id');
          if (!id) throw armErrors.invalidRequestContent("The 'id' of the key to regenerate is required.");
          const store = await stores(context).get(subscriptionId, resourceGroup, name);
          const key = await stores(context).keys.regenerate(store.name, id);
          const endpoint = configurationStoreEndpoint(context.request.origin, store);
          return { status: 200, headers: SECRET_HEADERS, body: accessKeyResource(key, endpoint) };
        });
      default:
        throw armErrors.notFound(`${scope}/${action}`);
    }
  }
  switch (method) {
    case 'GET':
      return operation(ACTION.read, async (context) => ({
        status: 200,
        body: configurationStoreResource(
          await stores(context).get(subscriptionId, resourceGroup, name),
          context.request.origin,
        ),
      }));
    case 'PUT':
      return operation(ACTION.write, async (context) => {
        const { store, created } = await stores(context).createOrUpdate({
          subscriptionId,
          resourceGroup,
          name,
          ...storeInput(context),
        });
        return {
          status: created ? 201 : 200,
          body: configurationStoreResource(store, context.request.origin),
        };
      });
    case 'DELETE':
      return operation(ACTION.delete, async (context) => {
        const deleted = await stores(context).delete(subscriptionId, resourceGroup, name);
        return { status: deleted ? 200 : 204 };
      });
    default:
      throw armErrors.methodNotAllowed(method);
  }
}
