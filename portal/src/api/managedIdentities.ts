import { ApiError } from './apiError.js';
import { AlreadyExists, listAll } from './arm.js';
import { callApi } from './http.js';
import type { Json } from './json.js';
import { isJson, text } from './json.js';

/** The api-version the portal speaks to Microsoft.ManagedIdentity. */
const API_VERSION = '2023-01-31';
const TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

export interface UserAssignedIdentity {
  id: string;
  name: string;
  location: string;
  resourceGroup: string;
  /** The object id of its service principal: what role assignments and app roles name. */
  principalId: string;
  /** The application (client) id a workload asks tokens with. */
  clientId: string;
  tenantId: string;
}

const seg = encodeURIComponent;

function identityOf(item: Json): UserAssignedIdentity {
  const properties = isJson(item.properties) ? item.properties : {};
  const id = text(item.id);
  return {
    id,
    name: text(item.name),
    location: text(item.location),
    resourceGroup: decodeURIComponent(/\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? ''),
    principalId: text(properties.principalId),
    clientId: text(properties.clientId),
    tenantId: text(properties.tenantId),
  };
}

export const listUserAssignedIdentities = async (subscriptionId: string): Promise<UserAssignedIdentity[]> =>
  (await listAll(`/subscriptions/${seg(subscriptionId)}/providers/${TYPE}?api-version=${API_VERSION}`)).map(
    identityOf,
  );

/** One identity by its ARM resource id. */
export async function getUserAssignedIdentity(id: string): Promise<UserAssignedIdentity> {
  const { body } = await callApi('arm', `${id}?api-version=${API_VERSION}`);
  return identityOf(isJson(body) ? body : {});
}

/** ARM's PUT creates or replaces: a name already taken must not quietly become an update. */
export async function createUserAssignedIdentity(
  subscriptionId: string,
  input: { resourceGroup: string; name: string; location: string },
): Promise<UserAssignedIdentity> {
  const path = `/subscriptions/${seg(subscriptionId)}/resourceGroups/${seg(input.resourceGroup)}/providers/${TYPE}/${seg(input.name)}?api-version=${API_VERSION}`;
  try {
    await callApi('arm', path);
    throw new AlreadyExists(`A managed identity named '${input.name}' already exists. Choose another name.`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  const { body } = await callApi('arm', path, { method: 'PUT', body: { location: input.location } });
  return identityOf(isJson(body) ? body : {});
}

export async function deleteUserAssignedIdentity(id: string): Promise<void> {
  await callApi('arm', `${id}?api-version=${API_VERSION}`, { method: 'DELETE' });
}
