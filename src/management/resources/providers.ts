import { parseScope } from '../../access/scopes.js';
import type { Tessera } from '../../tessera.js';
import type { ArmOperation } from '../arm/context.js';
import { armErrors } from '../arm/errors.js';
import { resourceNotFound } from '../resourceFields.js';
import type { ArmTarget } from '../arm/path.js';
import { configurationStoreOperation, listConfigurationStores } from './configurationStoresApi.js';
import { listMediaServices, mediaServicesOperation } from './mediaServicesApi.js';

type ProviderTarget = Extract<ArmTarget, { kind: 'providerResource' }>;

interface ProviderResourceType {
  list(target: ProviderTarget): ArmOperation;
  exists(tessera: Tessera, subscriptionId: string, resourceGroup: string, name: string): Promise<boolean>;
  /** One resource in a group (`target.resourceGroup` and `target.name` are set). */
  item(target: Required<Omit<ProviderTarget, 'action'>> & { action?: string }, method: string): ArmOperation;
}

/** The resource types Tessera serves, by lower-cased `{namespace}/{type}`. */
const resourceTypes: Readonly<Record<string, ProviderResourceType>> = {
  'microsoft.appconfiguration/configurationstores': {
    list: (t) => listConfigurationStores(t),
    exists: async (tessera, subscriptionId, group, name) =>
      (await tessera.configurationStores.find(subscriptionId, group, name)) !== undefined,
    item: (t, method) =>
      configurationStoreOperation(t.subscriptionId, t.resourceGroup, t.name, method, t.action),
  },
  'microsoft.media/mediaservices': {
    list: (t) => listMediaServices(t),
    exists: async (tessera, subscriptionId, group, name) =>
      (await tessera.mediaServices.find(subscriptionId, group, name)) !== undefined,
    item: (t, method) => {
      if (t.action !== undefined) throw armErrors.methodNotAllowed(method);
      return mediaServicesOperation(t.subscriptionId, t.resourceGroup, t.name, method);
    },
  },
};

const namespaces = new Set(Object.keys(resourceTypes).map((key) => key.split('/')[0]));

export function providerOperation(target: ProviderTarget, method: string, apiVersion: string): ArmOperation {
  const type = resourceTypes[`${target.namespace}/${target.type}`.toLowerCase()];
  if (!type) {
    if (!namespaces.has(target.namespace.toLowerCase()))
      throw armErrors.invalidResourceNamespace(target.namespace);
    throw armErrors.invalidResourceType(target.type, target.namespace, apiVersion);
  }
  const { resourceGroup, name } = target;
  if (name === undefined || resourceGroup === undefined) {
    if (method !== 'GET') throw armErrors.methodNotAllowed(method);
    return type.list(target);
  }
  return type.item({ ...target, resourceGroup, name }, method);
}

/**
 * For scopes that name one of Tessera's resources (role assignments, custom role scopes): the
 * resource must exist. Other resource types are not Tessera's to know, so they are accepted.
 */
export async function assertScopeResourceExists(tessera: Tessera, scope: string): Promise<void> {
  const parsed = parseScope(scope);
  if (!parsed?.resourcePath || parsed.resourceGroup === undefined) return;
  const [, namespace, type, name, ...below] = parsed.resourcePath.split('/');
  const resourceType = resourceTypes[`${namespace}/${type}`.toLowerCase()];
  if (!resourceType || name === undefined || below.length > 0) return;
  if (!(await resourceType.exists(tessera, parsed.subscriptionId, parsed.resourceGroup, name))) {
    throw resourceNotFound(`${namespace}/${type}`, name, parsed.resourceGroup);
  }
}
