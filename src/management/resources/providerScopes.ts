import { resourceId } from '../resourceFields.js';
import { resourceGroupScope } from '../resourceGroups.js';
import { subscriptionScope } from './subscriptionsApi.js';

/** Where a provider's resources or collection sit: a resource group or a whole subscription. */
export interface ProviderLocation {
  subscriptionId: string;
  resourceGroup?: string;
}

/** The scope a collection list is authorized at: its group, or the subscription. */
export const collectionScope = (at: ProviderLocation): string =>
  at.resourceGroup === undefined
    ? subscriptionScope(at.subscriptionId)
    : resourceGroupScope(at.subscriptionId, at.resourceGroup);

export const resourceScope = (
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
): string => resourceId(subscriptionId, resourceGroup, type, name);
