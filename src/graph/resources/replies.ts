import type { GraphContext, GraphReply } from '../http/context.js';
import { ok } from '../http/context.js';
import type { EntityType } from '../odata/entityType.js';
import { parseCollectionQuery, parseEntityQuery, parseRawCountQuery } from '../odata/query.js';
import type { Typed } from '../odata/responses.js';
import { collectionPage, contextUrl, countOf, project } from '../odata/responses.js';

const consistencyLevel = (context: GraphContext) => context.headers.consistencylevel;

/** A collection: `$filter`, `$search`, `$select`, `$top` with next links, `$count`. */
export function listReply(
  context: GraphContext,
  items: readonly Typed[],
  fragment: string,
  types: readonly EntityType[],
): GraphReply {
  const query = parseCollectionQuery(context.query, types, consistencyLevel(context));
  return ok(
    collectionPage(items, query, { base: context.base, path: context.path, query: context.query, fragment }),
  );
}

/** `/$count`: a bare number, as text. */
export function countReply(
  context: GraphContext,
  items: readonly Typed[],
  types: readonly EntityType[],
): GraphReply {
  const query = parseRawCountQuery(context.query, types, consistencyLevel(context));
  return { status: 200, text: String(countOf(items, query)) };
}

/** One entity, with `$select`. */
export function entityReply(
  context: GraphContext,
  entity: Typed,
  fragment: string,
  status = 200,
): GraphReply {
  const select = parseEntityQuery(context.query, [entity.type]);
  return {
    status,
    body: { '@odata.context': contextUrl(context.base, fragment, select, true), ...project(entity, select) },
  };
}
