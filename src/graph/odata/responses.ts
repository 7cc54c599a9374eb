import type { EntityType } from './entityType.js';
import type { Json } from './evaluate.js';
import type { CollectionQuery } from './query.js';
import { skipTokenOf } from './query.js';

/** An entity with the type that describes its JSON (collections of directoryObjects mix types). */
export interface Typed {
  type: EntityType;
  json: Json;
}

/** Where the answer stands in Graph's metadata: the fragment of `@odata.context`. */
export const contextUrl = (
  base: string,
  fragment: string,
  select?: readonly string[],
  entity = false,
): string =>
  `${base}/$metadata#${fragment}${select ? `(${select.join(',')})` : ''}${entity ? '/$entity' : ''}`;

/**
 * What a response shows of an entity: the selected properties, else Graph's defaults, in the
 * type's own order. Properties a type lacks are left out (a select over mixed directoryObjects).
 */
export function project(entity: Typed, select?: readonly string[]): Json {
  const wanted = new Set(select ?? entity.type.defaultSelect ?? Object.keys(entity.type.properties));
  const out: Json = {};
  if ('@odata.type' in entity.json) out['@odata.type'] = entity.json['@odata.type'];
  for (const name of Object.keys(entity.type.properties)) {
    if (wanted.has(name) && name in entity.json) out[name] = entity.json[name];
  }
  return out;
}

export interface PageRequest {
  /** `https://<host>/v1.0`. */
  base: string;
  /** The resource path as requested, after `/v1.0/` (encoded as sent). */
  path: string;
  /** The request's query, to carry into the next link. */
  query: URLSearchParams;
  /** The `@odata.context` fragment of the collection: `users`, `directoryObjects`, … */
  fragment: string;
}

const lower = (value: unknown): string => String(value ?? '').toLowerCase();

const byId = (a: Typed, b: Typed): number => {
  const [x, y] = [lower(a.json.id), lower(b.json.id)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/** `$orderby`: by the property (nulls first, strings without regard to case), then by id. */
function byProperty(property: string, descending: boolean): (a: Typed, b: Typed) => number {
  const key = (item: Typed): string | number => {
    const value = item.json[property];
    return typeof value === 'boolean'
      ? Number(value)
      : value === null || value === undefined
        ? ''
        : lower(value);
  };
  return (a, b) => {
    const [x, y] = [key(a), key(b)];
    const order = x < y ? -1 : x > y ? 1 : 0;
    return (descending ? -order : order) || byId(a, b);
  };
}

function nextLink(request: PageRequest, position: { after: string } | { skip: number }): string {
  const query = new URLSearchParams();
  for (const [name, value] of request.query)
    if (name.toLowerCase() !== '$skiptoken') query.append(name, value);
  query.set('$skiptoken', skipTokenOf(position));
  // Keep `$` readable in option names, as Graph's own next links do.
  return `${request.base}/${request.path}?${query.toString().replace(/%24/g, '$')}`;
}

/**
 * A page of a collection: filtered and searched, in id order (or `$orderby`), `$top` at a time with
 * `@odata.nextLink`, `@odata.count` when asked.
 */
export function collectionPage(items: readonly Typed[], query: CollectionQuery, request: PageRequest): Json {
  const matching = items
    .filter(
      (item) => (!query.filter || query.filter(item.json)) && (!query.search || query.search(item.json)),
    )
    .sort(query.orderBy ? byProperty(query.orderBy.property, query.orderBy.descending) : byId);
  let start = 0;
  if (query.orderBy) start = query.skip ?? 0;
  else if (query.after !== undefined) {
    const after = query.after.toLowerCase();
    start = matching.findIndex((item) => lower(item.json.id) > after);
    if (start < 0) start = matching.length;
  }
  const page = matching.slice(start, start + query.pageSize);
  const end = start + page.length;
  const last = page[page.length - 1];
  const position = query.orderBy ? { skip: end } : { after: String(last?.json.id) };
  return {
    '@odata.context': contextUrl(request.base, request.fragment, query.select),
    ...(query.count && { '@odata.count': matching.length }),
    ...(end < matching.length && last && { '@odata.nextLink': nextLink(request, position) }),
    value: page.map((item) => project(item, query.select)),
  };
}

/** `/$count`: how many entities the filter and search leave. */
export function countOf(items: readonly Typed[], query: CollectionQuery): number {
  return items.filter(
    (item) => (!query.filter || query.filter(item.json)) && (!query.search || query.search(item.json)),
  ).length;
}
