import { ApiError } from './apiError.js';
import { callApi } from './http.js';
import type { ApiRequest, ApiResponse } from './http.js';

/**
 * App Configuration's data plane, path-style on this origin (`/appconfig/<store>/…`), with the
 * signed-in person's token for it: what the person's data roles on the store allow, no more.
 * Request shapes follow @azure/app-configuration (api-version, content types, If-Match).
 */
export const API_VERSION = '2026-04-01';

const KV_TYPE = 'application/vnd.microsoft.appconfig.kv+json';
/** The service's own character for "no label" in filters and item addresses. */
export const NO_LABEL = '\u0000';
/** Pages followed at most when listing: 100 items each. */
const MAX_PAGES = 20;

export interface KeyValue {
  key: string;
  /** null: the key-value has no label. */
  label: string | null;
  value: string | null;
  contentType: string | null;
  tags: Record<string, string | null>;
  locked: boolean;
  etag: string;
  lastModified: string;
}

/** What a person writes: a value, its content type and tags. */
export interface KeyValueInput {
  key: string;
  label: string | null;
  value: string;
  contentType: string;
  tags: Record<string, string | null>;
}

/** A list as far as it was followed: `more` when the store had pages left. */
export interface Listing<T> {
  items: T[];
  more: boolean;
}

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The last segment of a store's ARM id is its name. */
export const storeNameOf = (id: string): string => id.split('/').filter(Boolean).pop() ?? '';

export const storeBase = (store: string): string => `/appconfig/${encodeURIComponent(store)}`;

export const call = (store: string, path: string, request?: ApiRequest): Promise<ApiResponse> =>
  callApi('appConfiguration', `${storeBase(store)}${path}`, request);

/** `"etag"` as If-Match wants it (the body's etag is bare). */
const quoted = (etag: string): string => `"${etag}"`;

/** Filter syntax: `*`, `,` and `\` stand for themselves only escaped. */
export const escapeFilter = (value: string): string => value.replace(/[\\*,]/g, (c) => `\\${c}`);

/** `?label=` of one item: omitted for no label. */
const labelQuery = (label: string | null): string =>
  label === null ? '' : `&label=${encodeURIComponent(label)}`;

/** A label filter as people write it in the docs: `\0` for "no label", kept otherwise. */
export const labelFilterParameter = (filter: string): string =>
  filter
    .split(',')
    .map((alternative) => (alternative.trim() === '\\0' ? NO_LABEL : alternative))
    .join(',');

export function keyValueOf(item: Json): KeyValue {
  const tags: Record<string, string | null> = {};
  if (isJson(item.tags)) {
    for (const [name, value] of Object.entries(item.tags)) tags[name] = text(value);
  }
  return {
    key: text(item.key) ?? '',
    label: text(item.label),
    value: text(item.value),
    contentType: text(item.content_type),
    tags,
    locked: item.locked === true,
    etag: text(item.etag) ?? '',
    lastModified: text(item.last_modified) ?? '',
  };
}

/** The next page's path on this store, from `@nextLink` (or, failing that, the Link header). */
function nextPath(store: string, response: ApiResponse): string | undefined {
  const body = response.body;
  let link = isJson(body) ? text(body['@nextLink']) : null;
  if (!link) link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')?.[1] ?? null;
  if (!link) return undefined;
  // Relative to the store's endpoint as the service writes it; an absolute one only on this origin.
  const url = new URL(link, `${location.origin}${storeBase(store)}/`);
  if (url.origin !== location.origin) return undefined;
  const base = storeBase(store);
  return url.pathname.startsWith(`${base}/`)
    ? url.pathname.slice(base.length) + url.search
    : url.pathname + url.search;
}

/** Every item of a listing, following next links up to MAX_PAGES pages. */
export async function listPages(store: string, path: string, accept: string): Promise<Listing<Json>> {
  const items: Json[] = [];
  let next: string | undefined = path;
  for (let pages = 0; next !== undefined; pages++) {
    if (pages === MAX_PAGES) return { items, more: true };
    const response: ApiResponse = await call(store, next, { headers: { accept } });
    const body = response.body;
    if (!isJson(body) || !Array.isArray(body.items)) break;
    items.push(...body.items.filter(isJson));
    next = nextPath(store, response);
  }
  return { items, more: false };
}

const KVSET_ACCEPT = 'application/vnd.microsoft.appconfig.kvset+json, application/problem+json';
const KV_ACCEPT = 'application/vnd.microsoft.appconfig.kv+json, application/problem+json';

/** Filters as the API takes them: empty means any. */
export interface KeyValueFilter {
  key: string;
  label: string;
}

function filterQuery(filter: KeyValueFilter): string {
  let query = `api-version=${API_VERSION}`;
  if (filter.key.trim()) query += `&key=${encodeURIComponent(filter.key.trim())}`;
  if (filter.label !== '') query += `&label=${encodeURIComponent(labelFilterParameter(filter.label))}`;
  return query;
}

export async function listKeyValues(store: string, filter: KeyValueFilter): Promise<Listing<KeyValue>> {
  const { items, more } = await listPages(store, `/kv?${filterQuery(filter)}`, KVSET_ACCEPT);
  return { items: items.map(keyValueOf), more };
}

const itemPath = (resource: 'kv' | 'locks', key: string, label: string | null) =>
  `/${resource}/${encodeURIComponent(key)}?api-version=${API_VERSION}${labelQuery(label)}`;

/** The current state of one key-value, or undefined when it no longer exists. */
export async function getKeyValue(store: string, key: string, label: string | null) {
  try {
    const { body } = await call(store, itemPath('kv', key, label), { headers: { accept: KV_ACCEPT } });
    return isJson(body) ? keyValueOf(body) : undefined;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Writes a key-value. `etag` makes it conditional on nobody having changed it since it was read
 * (If-Match: a 412 otherwise); `create` on its not existing yet (If-None-Match: *).
 */
export async function putKeyValue(
  store: string,
  input: KeyValueInput,
  condition: { etag: string } | { create: true },
): Promise<KeyValue> {
  const { body } = await call(store, itemPath('kv', input.key, input.label), {
    method: 'PUT',
    headers: {
      'content-type': KV_TYPE,
      accept: KV_ACCEPT,
      ...('etag' in condition ? { 'if-match': quoted(condition.etag) } : { 'if-none-match': '*' }),
    },
    // An empty content type is none, as the SDK sends it.
    body: { value: input.value, content_type: input.contentType || null, tags: input.tags },
  });
  if (!isJson(body)) throw new Error('The store answered without the key-value it saved.');
  return keyValueOf(body);
}

export async function deleteKeyValue(store: string, kv: KeyValue): Promise<void> {
  await call(store, itemPath('kv', kv.key, kv.label), {
    method: 'DELETE',
    headers: { 'if-match': quoted(kv.etag), accept: KV_ACCEPT },
  });
}

/** Locks (read-only) or unlocks a key-value, as it was when read. */
export async function setLocked(store: string, kv: KeyValue, locked: boolean): Promise<KeyValue> {
  const { body } = await call(store, itemPath('locks', kv.key, kv.label), {
    method: locked ? 'PUT' : 'DELETE',
    headers: { 'if-match': quoted(kv.etag), accept: KV_ACCEPT },
  });
  if (!isJson(body)) throw new Error('The store answered without the key-value it changed.');
  return keyValueOf(body);
}

/** Past states of one key-value, newest first, as the store keeps them. */
export async function listRevisions(store: string, key: string, label: string | null) {
  const query =
    `api-version=${API_VERSION}&key=${encodeURIComponent(escapeFilter(key))}` +
    `&label=${encodeURIComponent(label === null ? NO_LABEL : escapeFilter(label))}`;
  const { items, more } = await listPages(store, `/revisions?${query}`, KVSET_ACCEPT);
  return { items: items.map(keyValueOf), more };
}

/** Writes a past state back over the current one (which must still be as it was read). */
export const restoreRevision = (
  store: string,
  revision: KeyValue,
  current: KeyValue | undefined,
): Promise<KeyValue> =>
  putKeyValue(
    store,
    {
      key: revision.key,
      label: revision.label,
      value: revision.value ?? '',
      contentType: revision.contentType ?? '',
      tags: revision.tags,
    },
    current ? { etag: current.etag } : { create: true },
  );
