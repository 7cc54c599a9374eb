import { mediaErrors } from '../errors.js';
import { missingOperation } from '../entities/operations.js';
import { rulesOf } from '../entities/registry.js';
import type { Navigation, PresentContext } from '../entities/rules.js';
import type { EntityRecord, EntityTypeDef } from '../odata/edm.js';
import { complexTypes, entityTypeOf, navigationOf, propertyOf } from '../odata/model.js';
import { pageOf, parseQueryOptions } from '../odata/queryOptions.js';
import type { QueryOptions } from '../odata/queryOptions.js';
import type { ResourcePath } from '../odata/resourcePath.js';
import {
  serializeCollection,
  serializeEntity,
  serializeLink,
  serializeLinks,
  serializeProperty,
} from '../odata/serialize/index.js';
import { formatDuration, formatIsoDateTime } from '../odata/serialize/values.js';
import type { AccountView } from '../persistence/accountView.js';
import { entitiesOf, entityOf } from './presentation.js';
import { body, serializeContext } from './responses.js';
import type { ApiRequest, ApiResponse, ApiSession } from './types.js';

/** The entity a path's key names, or the client's 404. */
export function requireEntity(
  view: AccountView,
  set: string,
  key: string,
  ctx: PresentContext,
): EntityRecord {
  const entity = entityOf(view, set, key, ctx);
  if (!entity) throw set === 'Operations' ? missingOperation(key) : mediaErrors.entityNotFound(set, key);
  return entity;
}

export function navigationRule(set: string, navigation: string): Navigation {
  const rule = rulesOf(set).navigations?.[navigation];
  if (!rule) throw mediaErrors.notFound(`Resource not found for the segment '${navigation}'.`);
  return rule;
}

export function linkedEntities(
  view: AccountView,
  set: string,
  id: string,
  navigation: string,
  ctx: PresentContext,
): EntityRecord[] {
  return view
    .targets(set, id, navigation)
    .map((l) => entityOf(view, l.targetSet, l.targetId, ctx))
    .filter((e): e is EntityRecord => e !== undefined);
}

export function targetsOf(
  view: AccountView,
  set: string,
  source: EntityRecord,
  navigation: string,
  ctx: PresentContext,
): EntityRecord[] {
  const rule = navigationRule(set, navigation);
  const id = source.Id as string;
  switch (rule.kind) {
    case 'link':
      return linkedEntities(view, set, id, navigation, ctx);
    case 'foreignKey':
      return entitiesOf(view, rule.set, ctx).filter((e) => e[rule.property] === id);
    case 'reference': {
      const targetId = source[rule.property];
      const target = typeof targetId === 'string' ? entityOf(view, rule.set, targetId, ctx) : undefined;
      return target ? [target] : [];
    }
  }
}

/**
 * A listing's entities filtered and sorted, memoised per committed array (a set's presented list
 * keeps its identity until the set changes) and query: a client paging through next links asks
 * the same question once per page, and each would otherwise filter and sort the whole set again.
 */
const ordered = new WeakMap<readonly EntityRecord[], Map<string, readonly EntityRecord[]>>();

function filteredAndSorted(
  items: readonly EntityRecord[],
  query: URLSearchParams,
  options: QueryOptions,
): readonly EntityRecord[] {
  if (!options.filter && !options.orderBy) return items;
  const key = `${query.get('$filter') ?? ''}\n${query.get('$orderby') ?? ''}`;
  let byQuery = ordered.get(items);
  const hit = byQuery?.get(key);
  if (hit) return hit;
  const { filter, orderBy } = options;
  let result = filter ? items.filter(filter) : [...items];
  if (orderBy) result = result.sort(orderBy);
  if (!byQuery) ordered.set(items, (byQuery = new Map()));
  // Queries come from clients: a few per listing are kept.
  if (byQuery.size >= 16) byQuery.clear();
  byQuery.set(key, result);
  return result;
}

function collection(
  session: ApiSession,
  request: ApiRequest,
  type: EntityTypeDef,
  items: readonly EntityRecord[],
  source: string,
): ApiResponse {
  const options = parseQueryOptions(request.query, type, complexTypes);
  const selected = filteredAndSorted(items, request.query, options);
  const page = pageOf(selected, { top: options.top, skip: options.skip, inlineCount: options.inlineCount });
  let nextLink: string | undefined;
  if (page.next) {
    const query = new URLSearchParams(request.query);
    query.set('$skip', String(page.next.skip));
    if (page.next.top !== undefined) query.set('$top', String(page.next.top));
    else query.delete('$top');
    nextLink = `${session.urls.api}${source}?${query.toString().replace(/\+/g, '%20')}`;
  }
  const text = serializeCollection(session.format, type, page.page, serializeContext(session), {
    ...(options.select ? { select: options.select } : {}),
    ...(page.count !== undefined ? { count: page.count } : {}),
    ...(nextLink ? { nextLink } : {}),
    navigationSource: source,
  });
  return body(session, 200, 'feed', text);
}

function single(
  session: ApiSession,
  request: ApiRequest,
  type: EntityTypeDef,
  entity: EntityRecord,
): ApiResponse {
  const options = parseQueryOptions(request.query, type, complexTypes);
  const text = serializeEntity(session.format, type, entity, serializeContext(session), options.select);
  return body(session, 200, 'entry', text);
}

const keySegment = (set: string, key: string) => `${set}('${encodeURIComponent(key)}')`;

/** Every GET of the entity model. */
export function read(
  session: ApiSession,
  request: ApiRequest,
  view: AccountView,
  path: Extract<
    ResourcePath,
    { kind: 'collection' | 'entity' | 'navigation' | 'property' | 'links' | 'count' }
  >,
  ctx: PresentContext,
): ApiResponse {
  const type = entityTypeOf(path.set);
  switch (path.kind) {
    case 'collection':
      return collection(session, request, type, entitiesOf(view, path.set, ctx), path.set);
    case 'entity':
      return single(session, request, type, requireEntity(view, path.set, path.key, ctx));
    case 'count': {
      let items: readonly EntityRecord[] = entitiesOf(view, path.set, ctx);
      let countType = type;
      if (path.key !== undefined && path.navigation !== undefined) {
        const source = requireEntity(view, path.set, path.key, ctx);
        items = targetsOf(view, path.set, source, path.navigation, ctx);
        countType = entityTypeOf(navigationTarget(type, path.navigation));
      }
      const options = parseQueryOptions(request.query, countType, complexTypes);
      const filtered = options.filter ? items.filter(options.filter) : items;
      return {
        status: 200,
        headers: { 'content-type': 'text/plain;charset=utf-8' },
        body: String(filtered.length),
      };
    }
    case 'navigation': {
      const source = requireEntity(view, path.set, path.key, ctx);
      const nav = navigationOf(type, path.navigation);
      if (!nav) throw mediaErrors.notFound(`Resource not found for the segment '${path.navigation}'.`);
      const targetType = entityTypeOf(nav.target);
      const targets = targetsOf(view, path.set, source, path.navigation, ctx);
      const sourcePath = `${keySegment(path.set, path.key)}/${path.navigation}`;
      if (path.targetKey !== undefined) {
        const target = targets.find((t) => t.Id === path.targetKey);
        if (!target) throw mediaErrors.entityNotFound(nav.target, path.targetKey);
        return single(session, request, targetType, target);
      }
      if (!nav.many) {
        const [target] = targets;
        if (!target) throw mediaErrors.notFound(`The entity '${path.key}' has no ${path.navigation}.`);
        return single(session, request, targetType, target);
      }
      return collection(session, request, targetType, targets, sourcePath);
    }
    case 'property': {
      const entity = requireEntity(view, path.set, path.key, ctx);
      const property = propertyOf(type, path.property);
      if (!property) throw mediaErrors.notFound(`Resource not found for the segment '${path.property}'.`);
      if (path.value) {
        const value = entity[path.property];
        if (value === null || value === undefined) throw mediaErrors.notFound('The property has no value.');
        return {
          status: 200,
          headers: { 'content-type': 'text/plain;charset=utf-8' },
          body: rawValue(property.type, value),
        };
      }
      return body(
        session,
        200,
        'value',
        serializeProperty(session.format, type, entity, path.property, serializeContext(session)),
      );
    }
    case 'links': {
      const source = requireEntity(view, path.set, path.key, ctx);
      const nav = navigationOf(type, path.navigation);
      if (!nav) throw mediaErrors.notFound(`Resource not found for the segment '${path.navigation}'.`);
      const targets = targetsOf(view, path.set, source, path.navigation, ctx);
      const uris = targets.map((t) => session.urls.entity(nav.target, t.Id as string));
      const linksSource = { set: path.set, navigation: path.navigation };
      if (path.targetKey !== undefined || !nav.many) {
        const uri =
          path.targetKey !== undefined
            ? uris.find((u) => u === session.urls.entity(nav.target, path.targetKey ?? ''))
            : uris[0];
        if (!uri) throw mediaErrors.notFound();
        return body(
          session,
          200,
          'links',
          serializeLink(session.format, uri, serializeContext(session), linksSource),
        );
      }
      return body(
        session,
        200,
        'links',
        serializeLinks(session.format, uris, serializeContext(session), linksSource),
      );
    }
  }
}

export function navigationTarget(type: EntityTypeDef, navigation: string): string {
  const nav = navigationOf(type, navigation);
  if (!nav) throw mediaErrors.notFound(`Resource not found for the segment '${navigation}'.`);
  return nav.target;
}

/** `/$value`: the value's literal text, dates and durations written as the serializers write them. */
function rawValue(type: string, value: unknown): string {
  if (type === 'Edm.DateTime' && typeof value === 'number') return formatIsoDateTime(value);
  if (type === 'Edm.Time' && typeof value === 'number') return formatDuration(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
