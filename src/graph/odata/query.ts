import { graphErrors } from '../errors.js';
import type { EntityType } from './entityType.js';
import { kindOf, propertyNamed, typeNameOf } from './entityType.js';
import type { Json } from './evaluate.js';
import { compileFilter } from './evaluate.js';
import { parseFilter } from './filter.js';
import { parseSearch } from './search.js';

/** Graph's page size when the client names none, and the largest `$top` it takes. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

/** The query options of a collection request, checked against the entity types listed. */
export interface CollectionQuery {
  filter?: (entity: Json) => boolean;
  search?: (entity: Json) => boolean;
  select?: string[];
  /** `$orderby`: one property; without it, entities come in id order. */
  orderBy?: { property: string; descending: boolean };
  pageSize: number;
  /** Where the previous page ended: its last id (id order) or how many came before (`$orderby`). */
  after?: string;
  skip?: number;
  count: boolean;
}

const COLLECTION_OPTIONS = new Set([
  '$filter',
  '$select',
  '$top',
  '$skiptoken',
  '$count',
  '$search',
  '$orderby',
]);
const ENTITY_OPTIONS = new Set(['$select']);

/**
 * `ConsistencyLevel: eventual` is how a client opts into Graph's advanced queries ($count, $search);
 * without it the directory refuses them rather than answering differently.
 */
export const isEventual = (header: string | string[] | undefined): boolean =>
  typeof header === 'string' && header.trim().toLowerCase() === 'eventual';

function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) {
    throw graphErrors.odataBadRequest(
      `Query option '${name}' was specified more than once, but it must be specified at most once.`,
    );
  }
  return values[0];
}

function checkOptions(query: URLSearchParams, allowed: ReadonlySet<string>): void {
  for (const name of new Set(query.keys())) {
    if (!name.startsWith('$')) continue;
    if (!allowed.has(name.toLowerCase())) {
      throw graphErrors.odataBadRequest(`Query option '${name}' is not supported on this resource.`);
    }
  }
}

/** Option names are matched case-insensitively (`$Filter` works on Graph). */
function normalized(query: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [name, value] of query) out.append(name.startsWith('$') ? name.toLowerCase() : name, value);
  return out;
}

export function parseSelect(text: string | undefined, types: readonly EntityType[]): string[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((name) => name.trim());
  return names.map((name) => {
    const property = name === '' ? undefined : propertyNamed(types, name);
    if (property === undefined) {
      throw graphErrors.odataBadRequest(
        `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${typeNameOf(types)}'.`,
      );
    }
    return property;
  });
}

function parseTop(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PAGE_SIZE;
  const top = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(top >= 1 && top <= MAX_PAGE_SIZE)) {
    throw graphErrors.badRequest(
      `Invalid page size specified: '${text}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`,
    );
  }
  return top;
}

/**
 * Skip tokens are opaque to clients: base64url of where the page before ended — its last id in id
 * order (stable whatever is created or deleted meanwhile), or the count of entities before it.
 */
export const skipTokenOf = (position: { after: string } | { skip: number }): string =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

function parseSkipToken(text: string | undefined): { after?: string; skip?: number } {
  if (text === undefined) return {};
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      after?: unknown;
      skip?: unknown;
    };
    if (typeof parsed.after === 'string' && parsed.after.length <= 64) return { after: parsed.after };
    if (Number.isInteger(parsed.skip) && (parsed.skip as number) >= 0) return { skip: parsed.skip as number };
  } catch {
    // the same answer as a well-formed token that says nothing
  }
  throw graphErrors.badRequest('The specified page token value is not valid.');
}

const ORDERABLE = new Set(['string', 'dateTime', 'boolean', 'int']);

function parseOrderBy(text: string | undefined, types: readonly EntityType[]): CollectionQuery['orderBy'] {
  if (text === undefined) return undefined;
  const match = /^\s*([A-Za-z][\w]*)(?:\s+(asc|desc))?\s*$/i.exec(text);
  const property = match && propertyNamed(types, match[1] as string);
  if (!match || !property || !ORDERABLE.has(kindOf(types, property) ?? '')) {
    throw graphErrors.unsupportedQuery(
      `Unsupported sort property or syntax in '$orderby=${text}'; one property, asc or desc.`,
    );
  }
  return { property, descending: match[2]?.toLowerCase() === 'desc' };
}

export function parseCollectionQuery(
  raw: URLSearchParams,
  types: readonly EntityType[],
  consistencyLevel: string | string[] | undefined,
): CollectionQuery {
  checkOptions(raw, COLLECTION_OPTIONS);
  const query = normalized(raw);
  const eventual = isEventual(consistencyLevel);
  const countText = single(query, '$count');
  if (countText !== undefined && countText !== 'true' && countText !== 'false') {
    throw graphErrors.odataBadRequest(`'${countText}' is not a valid count option.`);
  }
  const count = countText === 'true';
  if (count && !eventual) throw graphErrors.badRequest('$count is not currently supported.');
  const filterText = single(query, '$filter');
  const searchText = single(query, '$search');
  if (searchText !== undefined && !eventual) {
    throw graphErrors.unsupportedQuery(
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const position = parseSkipToken(single(query, '$skiptoken'));
  const orderBy = parseOrderBy(single(query, '$orderby'), types);
  return {
    ...(filterText !== undefined && { filter: compileFilter(parseFilter(filterText, types)) }),
    ...(searchText !== undefined && { search: parseSearch(searchText, types) }),
    ...(single(query, '$select') !== undefined && { select: parseSelect(single(query, '$select'), types) }),
    pageSize: parseTop(single(query, '$top')),
    ...(orderBy !== undefined && { orderBy }),
    ...position,
    count,
  };
}

/** A single entity takes `$select` only. */
export function parseEntityQuery(raw: URLSearchParams, types: readonly EntityType[]): string[] | undefined {
  checkOptions(raw, ENTITY_OPTIONS);
  return parseSelect(single(normalized(raw), '$select'), types);
}

const RAW_COUNT_OPTIONS = new Set(['$filter', '$search']);

/** `/$count`: the raw count of a collection (filtered or searched), only with `ConsistencyLevel: eventual`. */
export function parseRawCountQuery(
  raw: URLSearchParams,
  types: readonly EntityType[],
  consistencyLevel: string | string[] | undefined,
): CollectionQuery {
  if (!isEventual(consistencyLevel)) {
    throw graphErrors.unsupportedQuery(
      "Raw count (/$count) is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information",
    );
  }
  checkOptions(raw, RAW_COUNT_OPTIONS);
  return { ...parseCollectionQuery(raw, types, consistencyLevel), count: true };
}
