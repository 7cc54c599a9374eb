import { mediaErrors } from '../errors.js';
import type { ComplexTypeDef, EntityRecord, EntityTypeDef } from './edm.js';
import { compileFilter } from './filter.js';
import { compileOrderBy } from './orderby.js';

/**
 * The system query options of one request, read as WCF Data Services v3 read them: option names
 * are case-sensitive (`$Top` is an unknown option), an option given twice is a 400, an empty one
 * (`$filter=`) counts as absent, and a `$`-name the service did not know is a 400. Parameters
 * without `$` (`api-version`, function parameters) belong to others and are ignored here.
 */
export interface QueryOptions {
  filter?: (e: EntityRecord) => boolean;
  orderBy?: (a: EntityRecord, b: EntityRecord) => number;
  top?: number;
  skip?: number;
  /** Validated property and navigation names, without duplicates; `*` (all) → undefined. */
  select?: readonly string[];
  /** `$inlinecount=allpages` → true; `none` or absent → false. */
  inlineCount: boolean;
  /** `$skiptoken`, passed through opaque. */
  skipToken?: string;
  /**
   * `$format`, which overrides `Accept`: `json` (minimal metadata, as WCF DS 5.x answered it),
   * `verbose`, `atom`; also `xml` and the media types `application/json[;odata=…]`,
   * `application/atom+xml`, `application/xml`. The caller maps json → 'minimal'.
   */
  format?: 'json' | 'atom' | 'verbose';
}

const KNOWN = new Set([
  '$filter',
  '$orderby',
  '$top',
  '$skip',
  '$select',
  '$inlinecount',
  '$skiptoken',
  '$format',
  '$expand',
]);

/** The one occurrence of `name`, or undefined when absent or empty. */
function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) {
    throw mediaErrors.badRequest(
      `Query parameter '${name}' is specified, but it should be specified exactly once.`,
    );
  }
  const [value] = values;
  return value === undefined || value === '' ? undefined : value;
}

/** A count as Int32.TryParse read it: surrounding spaces and a leading '+' allowed, no more. */
function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const n = /^\+?\d{1,10}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(n <= 2147483647)) {
    throw mediaErrors.invalidQuery(name, `'${value}' is not a non-negative integer.`);
  }
  return n;
}

const FORMATS: Readonly<Record<string, 'json' | 'atom' | 'verbose'>> = {
  json: 'json',
  verbose: 'verbose',
  atom: 'atom',
  xml: 'atom',
  'application/json': 'json',
  'application/json;odata=minimalmetadata': 'json',
  'application/json;odata=nometadata': 'json',
  'application/json;odata=fullmetadata': 'json',
  'application/json;odata=verbose': 'verbose',
  'application/atom+xml': 'atom',
  'application/xml': 'atom',
};

function format(value: string | undefined): QueryOptions['format'] {
  if (value === undefined) return undefined;
  // `+` in a query string decodes to a space: `application/atom+xml` arrives as `atom xml`.
  const key = value.toLowerCase().trim().replace('atom xml', 'atom+xml').replace(/\s+/g, '');
  const found = FORMATS[key];
  if (!found) throw mediaErrors.invalidQuery('$format', `'${value}' is not a supported format.`);
  return found;
}

function select(value: string | undefined, type: EntityTypeDef): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((item) => item.trim());
  if (names.includes('*')) {
    if (names.some((name) => name === '')) throw mediaErrors.invalidQuery('$select', 'an item is empty.');
    return undefined;
  }
  const known = new Set([...type.properties.map((p) => p.name), ...type.navigation.map((nav) => nav.name)]);
  const chosen: string[] = [];
  for (const name of names) {
    if (name === '') throw mediaErrors.invalidQuery('$select', 'an item is empty.');
    if (name.includes('/')) {
      throw mediaErrors.invalidQuery(
        '$select',
        `'${name}': only properties of the entity itself can be selected.`,
      );
    }
    if (!known.has(name)) throw mediaErrors.unknownProperty(type.name, name);
    if (!chosen.includes(name)) chosen.push(name);
  }
  return chosen;
}

function inlineCount(value: string | undefined): boolean {
  if (value === undefined || value === 'none') return false;
  if (value === 'allpages') return true;
  throw mediaErrors.invalidQuery('$inlinecount', `'${value}' is neither 'allpages' nor 'none'.`);
}

export function parseQueryOptions(
  query: URLSearchParams,
  type: EntityTypeDef,
  complexTypes: ReadonlyMap<string, ComplexTypeDef>,
): QueryOptions {
  for (const name of new Set(query.keys())) {
    if (!name.startsWith('$')) continue;
    if (!KNOWN.has(name)) {
      throw mediaErrors.unsupportedQuery(
        `The query parameter '${name}' begins with a system-reserved '$' character but is not recognized.`,
      );
    }
  }
  if (query.has('$expand')) {
    throw mediaErrors.unsupportedQuery("The query option '$expand' is not supported.");
  }
  const filterText = single(query, '$filter');
  const orderByText = single(query, '$orderby');
  const options: QueryOptions = { inlineCount: inlineCount(single(query, '$inlinecount')) };
  if (filterText !== undefined) options.filter = compileFilter(filterText, type, complexTypes);
  if (orderByText !== undefined) options.orderBy = compileOrderBy(orderByText, type, complexTypes);
  const top = count('$top', single(query, '$top'));
  if (top !== undefined) options.top = top;
  const skip = count('$skip', single(query, '$skip'));
  if (skip !== undefined) options.skip = skip;
  const selected = select(single(query, '$select'), type);
  if (selected !== undefined) options.select = selected;
  const skipToken = single(query, '$skiptoken');
  if (skipToken !== undefined) options.skipToken = skipToken;
  const chosenFormat = format(single(query, '$format'));
  if (chosenFormat !== undefined) options.format = chosenFormat;
  return options;
}

export interface Page<T> {
  page: T[];
  /** The filtered count before `$skip`/`$top`, when `$inlinecount=allpages`. */
  count?: number;
  /**
   * Present when the server page limit cut the answer short: the next link is the same request
   * with `$skip` = `skip` and, when the caller gave `$top`, `$top` = `top` (what remains of it).
   */
  next?: { skip: number; top?: number };
}

/**
 * One page of `items` under the options: filter, a stable sort, `$skip`, `$top`, and at most
 * `pageSize` entities (the service's 1000). Without `$orderby` the caller's order stands, which
 * must be stable between requests (the store's key order) for next links to page correctly.
 */
export function pageOf<T extends object>(
  items: readonly T[],
  options: Pick<QueryOptions, 'filter' | 'orderBy' | 'top' | 'skip' | 'inlineCount'>,
  pageSize = 1000,
): Page<T> {
  const { filter, orderBy } = options;
  let selected: T[] = filter ? items.filter((item) => filter(item as EntityRecord)) : [...items];
  if (orderBy) selected = selected.sort((a, b) => orderBy(a as EntityRecord, b as EntityRecord));
  const skip = options.skip ?? 0;
  const remaining = Math.max(0, selected.length - skip);
  const budget = options.top === undefined ? remaining : Math.min(options.top, remaining);
  // At least one a page, so following next links always ends.
  const length = Math.min(budget, Math.max(1, Math.floor(pageSize)));
  const result: Page<T> = { page: selected.slice(skip, skip + length) };
  if (options.inlineCount) result.count = selected.length;
  if (length < budget) {
    result.next = { skip: skip + length };
    if (options.top !== undefined) result.next.top = options.top - length;
  }
  return result;
}
