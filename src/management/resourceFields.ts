import { TesseraError } from '../errors.js';

/** ARM stores locations as lower-case names without spaces: "West US" is "westus". */
export const normalizeLocation = (location: string): string => location.toLowerCase().replace(/\s+/g, '');

export function parseTags(text: string): Record<string, string> {
  const value: unknown = JSON.parse(text);
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error('expected a JSON object of tags');
  return value as Record<string, string>;
}

/** The `{type}/{name}` under a group that ARM names in ResourceNotFound. */
export const resourceNotFound = (type: string, name: string, resourceGroup: string): TesseraError =>
  new TesseraError(
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );

/** ARM's id of a resource in a resource group. */
export const resourceId = (
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
): string => `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;

/** What every tracked resource in a resource group carries for lookups. */
export interface GroupedResource {
  subscriptionId: string;
  resourceGroup: string;
}

/**
 * Resource names are global (they are DNS names), so a lookup finds the resource by name and
 * then answers only if it sits in the subscription and resource group the path names.
 */
export function inResourceGroup<T extends GroupedResource>(
  resource: T | undefined,
  subscriptionId: string,
  resourceGroup: string,
): T | undefined {
  const matches =
    resource?.subscriptionId === subscriptionId.toLowerCase() &&
    resource.resourceGroup.toLowerCase() === resourceGroup.toLowerCase();
  return matches ? resource : undefined;
}
