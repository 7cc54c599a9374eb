import { ApiError } from './apiError.js';
import { callApi } from './http.js';
import type { Json } from './json.js';
import { isJson, text } from './json.js';
import { listEveryPage } from './nextLinks.js';

/** The api-versions the portal speaks; Tessera answers each with the newest shape. */
const API = {
  subscriptions: '2022-12-01',
  resourceGroups: '2021-04-01',
  configurationStores: '2024-05-01',
  mediaServices: '2023-01-01',
} as const;

const STORE_TYPE = 'Microsoft.AppConfiguration/configurationStores';
const MEDIA_TYPE = 'Microsoft.Media/mediaservices';

export interface Tenant {
  tenantId: string;
  displayName: string;
  defaultDomain: string;
}

export interface Subscription {
  subscriptionId: string;
  displayName: string;
  state: string;
}

export interface ResourceGroup {
  id: string;
  name: string;
  location: string;
}

/** A tracked resource in a resource group (a store, a media account). */
export interface GroupedResource {
  id: string;
  name: string;
  location: string;
  resourceGroup: string;
}

export interface ConfigurationStore extends GroupedResource {
  sku: string;
  endpoint: string;
}

export interface MediaServicesAccount extends GroupedResource {
  apiEndpoint: string;
}

const seg = encodeURIComponent;

/** Every item of an ARM list, following nextLink (on this origin only). */
export const listAll = (path: string): Promise<Json[]> => listEveryPage('arm', path, 'nextLink');

/** `/subscriptions/{s}/resourceGroups/{g}/…` → the group's name as the id spells it. */
const groupOf = (id: string): string => /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? '';

const grouped = (item: Json): GroupedResource => ({
  id: text(item.id),
  name: text(item.name),
  location: text(item.location),
  resourceGroup: decodeURIComponent(groupOf(text(item.id))),
});

export const listTenants = async (): Promise<Tenant[]> =>
  (await listAll(`/tenants?api-version=${API.subscriptions}`)).map((t) => ({
    tenantId: text(t.tenantId),
    displayName: text(t.displayName),
    defaultDomain: text(t.defaultDomain),
  }));

export const listSubscriptions = async (): Promise<Subscription[]> =>
  (await listAll(`/subscriptions?api-version=${API.subscriptions}`)).map((s) => ({
    subscriptionId: text(s.subscriptionId),
    displayName: text(s.displayName),
    state: text(s.state),
  }));

export const listResourceGroups = async (subscriptionId: string): Promise<ResourceGroup[]> =>
  (
    await listAll(`/subscriptions/${seg(subscriptionId)}/resourcegroups?api-version=${API.resourceGroups}`)
  ).map((g) => ({ id: text(g.id), name: text(g.name), location: text(g.location) }));

const groupPath = (subscriptionId: string, group: string) =>
  `/subscriptions/${seg(subscriptionId)}/resourceGroups/${seg(group)}`;

/** ARM's PUT creates or replaces: a name already taken must not quietly become an update. */
async function exists(path: string): Promise<boolean> {
  try {
    await callApi('arm', path);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}

export class AlreadyExists extends Error {
  override readonly name = 'AlreadyExists';
}

async function create(path: string, body: Json, what: string): Promise<void> {
  if (await exists(path)) throw new AlreadyExists(`${what} already exists. Choose another name.`);
  await callApi('arm', path, { method: 'PUT', body });
}

export async function createResourceGroup(
  subscriptionId: string,
  name: string,
  location: string,
): Promise<void> {
  const path = `${groupPath(subscriptionId, name)}?api-version=${API.resourceGroups}`;
  await create(path, { location }, `A resource group named '${name}'`);
}

/** Everything in the group goes with it (ARM deletes the group's resources first). */
export async function deleteResourceGroup(subscriptionId: string, name: string): Promise<void> {
  await callApi('arm', `${groupPath(subscriptionId, name)}?api-version=${API.resourceGroups}`, {
    method: 'DELETE',
  });
}

export const listConfigurationStores = async (subscriptionId: string): Promise<ConfigurationStore[]> =>
  (
    await listAll(
      `/subscriptions/${seg(subscriptionId)}/providers/${STORE_TYPE}?api-version=${API.configurationStores}`,
    )
  ).map((s) => ({
    ...grouped(s),
    sku: isJson(s.sku) ? text(s.sku.name) : '',
    endpoint: isJson(s.properties) ? text(s.properties.endpoint) : '',
  }));

export async function createConfigurationStore(
  subscriptionId: string,
  input: { resourceGroup: string; name: string; location: string; sku: string },
): Promise<void> {
  const path = `${groupPath(subscriptionId, input.resourceGroup)}/providers/${STORE_TYPE}/${seg(input.name)}?api-version=${API.configurationStores}`;
  await create(path, { location: input.location, sku: { name: input.sku } }, `A store named '${input.name}'`);
}

export const listMediaServicesAccounts = async (subscriptionId: string): Promise<MediaServicesAccount[]> =>
  (
    await listAll(
      `/subscriptions/${seg(subscriptionId)}/providers/${MEDIA_TYPE}?api-version=${API.mediaServices}`,
    )
  ).map((a) => {
    const endpoints =
      isJson(a.properties) && Array.isArray(a.properties.apiEndpoints) ? a.properties.apiEndpoints : [];
    const first: unknown = endpoints[0];
    return { ...grouped(a), apiEndpoint: isJson(first) ? text(first.endpoint) : '' };
  });

export async function createMediaServicesAccount(
  subscriptionId: string,
  input: { resourceGroup: string; name: string; location: string },
): Promise<void> {
  const path = `${groupPath(subscriptionId, input.resourceGroup)}/providers/${MEDIA_TYPE}/${seg(input.name)}?api-version=${API.mediaServices}`;
  await create(path, { location: input.location }, `A Media Services account named '${input.name}'`);
}

/** A tracked resource by its id (as ARM listed it), with its type's api-version. */
export async function deleteResource(
  id: string,
  kind: 'configurationStore' | 'mediaServices',
): Promise<void> {
  const version = kind === 'configurationStore' ? API.configurationStores : API.mediaServices;
  await callApi('arm', `${id}?api-version=${version}`, { method: 'DELETE' });
}
