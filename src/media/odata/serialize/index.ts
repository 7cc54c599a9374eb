import type { EdmTypeName, EntityRecord, EntityTypeDef } from '../edm.js';
import type { ResponseFormat } from '../format.js';
import { CONTENT_TYPES } from '../format.js';
import { mediaErrors } from '../../errors.js';
import { propertyOf } from '../model.js';
import { atomEntry, atomFeed, atomLink, atomLinks, atomValue } from './atom.js';
import { minimalCollection, minimalEntity, minimalLink, minimalLinks, minimalValue } from './minimal.js';
import type { CollectionOptions, LinksSource, SerializeContext } from './context.js';
import { verboseCollection, verboseEntity, verboseLink, verboseLinks, verboseValue } from './verbose.js';

/**
 * The one entry point for response bodies: each function picks the dialect the client negotiated
 * (`negotiateFormat`) and returns the body text; `responseContentType` gives its Content-Type.
 */

export type { CollectionOptions, LinksSource, SerializeContext } from './context.js';

export type BodyKind = 'entry' | 'feed' | 'value' | 'links';

/** The Content-Type for a body this module wrote. */
export function responseContentType(format: ResponseFormat, kind: BodyKind): string {
  if (format !== 'atom') return CONTENT_TYPES[format];
  if (kind === 'entry') return 'application/atom+xml;type=entry;charset=utf-8';
  if (kind === 'feed') return 'application/atom+xml;type=feed;charset=utf-8';
  return 'application/xml;charset=utf-8';
}

export function serializeEntity(
  format: ResponseFormat,
  type: EntityTypeDef,
  entity: EntityRecord,
  ctx: SerializeContext,
  select?: readonly string[],
): string {
  if (format === 'minimal') return minimalEntity(type, entity, ctx, select);
  if (format === 'verbose') return verboseEntity(type, entity, ctx, select);
  return atomEntry(type, entity, ctx, select);
}

export function serializeCollection(
  format: ResponseFormat,
  type: EntityTypeDef,
  entities: readonly EntityRecord[],
  ctx: SerializeContext,
  opts: CollectionOptions = {},
): string {
  if (format === 'minimal') return minimalCollection(type, entities, ctx, opts);
  if (format === 'verbose') return verboseCollection(type, entities, ctx, opts);
  return atomFeed(type, entities, ctx, opts);
}

/** One property of an entity: `Jobs('…')/State` → `{"d":{"State":2}}`. An undeclared property is the client's 404. */
export function serializeProperty(
  format: ResponseFormat,
  type: EntityTypeDef,
  entity: EntityRecord,
  propertyName: string,
  ctx: SerializeContext,
): string {
  const property = propertyOf(type, propertyName);
  if (!property) throw mediaErrors.notFound(`Resource not found for the segment '${propertyName}'.`);
  return serializeValue(format, property.type, entity[propertyName] ?? null, ctx, propertyName);
}

/**
 * A lone value: a function's result (`GetProtectionKeyId` → `{"odata.metadata":"…#Edm.String","value":"…"}`,
 * verbose `{"d":{"GetProtectionKeyId":"…"}}`) or a property. `name` is the wrapper verbose JSON and Atom use.
 */
export function serializeValue(
  format: ResponseFormat,
  edmType: EdmTypeName,
  value: unknown,
  ctx: SerializeContext,
  name: string,
): string {
  if (format === 'minimal') return minimalValue(edmType, value, ctx);
  if (format === 'verbose') return verboseValue(name, edmType, value, ctx);
  return atomValue(name, edmType, value);
}

/** `GET Assets('…')/$links/Files`: the absolute URIs of the linked entities. */
export function serializeLinks(
  format: ResponseFormat,
  uris: readonly string[],
  ctx: SerializeContext,
  source: LinksSource,
): string {
  if (format === 'minimal') return minimalLinks(uris, ctx, source);
  if (format === 'verbose') return verboseLinks(uris, source);
  return atomLinks(uris, source);
}

/** `GET Locators('…')/$links/Asset`: a single-valued navigation's link. */
export function serializeLink(
  format: ResponseFormat,
  uri: string,
  ctx: SerializeContext,
  source: LinksSource,
): string {
  if (format === 'minimal') return minimalLink(uri, ctx, source);
  if (format === 'verbose') return verboseLink(uri);
  return atomLink(uri);
}
