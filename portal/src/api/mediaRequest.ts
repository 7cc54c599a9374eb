import type { ApiRequest, ApiResponse } from './http.js';
import { callApi } from './http.js';
import type { Json } from './json.js';
import { isJson } from './json.js';

/**
 * The headers every Media Services v2 request carries: OData v3 (JSON Light needs it) and the
 * REST version the service documents; minimal metadata JSON so lists arrive as `{ value: [...] }`.
 */
export const MEDIA_HEADERS: Readonly<Record<string, string>> = {
  accept: 'application/json;odata=minimalmetadata',
  DataServiceVersion: '3.0',
  MaxDataServiceVersion: '3.0',
  'x-ms-version': '2.19',
};

/** The account's name: the last segment of its ARM id (a bare name is kept as it is). */
export const mediaAccountName = (account: string): string =>
  account.split('/').filter(Boolean).pop() ?? account;

/** Quotes a string as an OData literal: `'…'` with inner quotes doubled. */
export const odataString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * One Media Services v2 call on this origin (`/media/<account>/api/<path>`) with the person's
 * token for rest.media.azure.net; an OData error is thrown as an ApiError with the service's
 * message. `account` is the account's ARM id or its name; `path` is relative to api/.
 */
export function mediaRequest(account: string, path: string, request: ApiRequest = {}): Promise<ApiResponse> {
  const base = `/media/${encodeURIComponent(mediaAccountName(account))}/api/`;
  return callApi('mediaServices', base + path.replace(/^\/+/, ''), {
    ...request,
    headers: { ...MEDIA_HEADERS, ...request.headers },
  });
}

/** The entities of a list answer (minimal `value`, or verbose `d.results`). */
export function entitiesOf(body: unknown): Json[] {
  if (!isJson(body)) return [];
  const list = body['value'] ?? (isJson(body['d']) ? body['d']['results'] : body['d']);
  return Array.isArray(list) ? list.filter(isJson) : [];
}

/** The entity of a single-entity answer (minimal: the body itself; verbose: `d`). */
export function entityOf(body: unknown): Json {
  if (!isJson(body)) return {};
  return isJson(body['d']) ? body['d'] : body;
}

/** A list's next page (`odata.nextLink` or verbose `d.__next`), as a path below this account's api/. */
function nextPath(account: string, body: unknown): string | undefined {
  if (!isJson(body)) return undefined;
  const next = body['odata.nextLink'] ?? (isJson(body['d']) ? body['d']['__next'] : undefined);
  if (typeof next !== 'string' || !next) return undefined;
  const root = `${location.origin}/media/${encodeURIComponent(mediaAccountName(account))}/api/`;
  const absolute = new URL(next, root).href;
  // Only this account's API on this origin is followed; anything else ends the list.
  return absolute.startsWith(root) ? absolute.slice(root.length) : undefined;
}

/** Every entity of a list, following the service's next links (at most 100 pages). */
export async function listAllEntities(account: string, path: string): Promise<Json[]> {
  const items: Json[] = [];
  let next: string | undefined = path;
  for (let pages = 0; next !== undefined && pages < 100; pages++) {
    const { body } = await mediaRequest(account, next);
    items.push(...entitiesOf(body));
    next = nextPath(account, body);
  }
  return items;
}
