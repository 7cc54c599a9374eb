import type { EdmTypeName, EntityRecord, EntityTypeDef, PropertyDef } from '../edm.js';
import { elementType, isCollectionType, isPrimitive, qualified } from '../edm.js';
import { CONTAINER_NAME, actionsBoundTo, complexMembersOf as complexMembers } from '../model.js';
import type { CollectionOptions, LinksSource, SerializeContext } from './context.js';
import {
  ATOM_NS,
  DATA_NS,
  METADATA_NS,
  RELATED_NS,
  SCHEME_NS,
  entityPath,
  escapeXml,
  formatAtomUpdated,
  formatDuration,
  formatIsoDateTime,
  selectedNavigation,
  selectedProperties,
  xmlDouble,
} from './values.js';

/**
 * Atom (`application/atom+xml`), the .NET SDK's dialect, shaped as WCF Data Services wrote it:
 * `<entry>` with `<id>`, `<category>`, an edit link, one related link per navigation property,
 * bound actions as `<m:action>`, and the properties in `<content><m:properties>` with `m:type` on
 * every non-string value and `m:null="true"` for nulls. Everything written is XML-escaped.
 */

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
const NAMESPACES = `xmlns="${ATOM_NS}" xmlns:d="${DATA_NS}" xmlns:m="${METADATA_NS}" xmlns:georss="http://www.georss.org/georss" xmlns:gml="http://www.opengis.net/gml"`;
const DATA_NAMESPACES = ` xmlns:d="${DATA_NS}" xmlns:m="${METADATA_NS}"`;

/** Writes one `<d:…>` element; `decl` carries namespace declarations when it is the document's root. */
type ElementWriter = (tag: string, value: unknown, decl?: string) => string;

const writers = new Map<string, ElementWriter>();

function writerFor(type: EdmTypeName, typed: boolean): ElementWriter {
  const cacheKey = `${typed ? 't' : 'u'}|${type}`;
  let writer = writers.get(cacheKey);
  if (!writer) {
    writer = buildWriter(type, typed);
    writers.set(cacheKey, writer);
  }
  return writer;
}

function primitiveText(type: EdmTypeName): (value: unknown) => string {
  switch (type) {
    case 'Edm.String':
    case 'Edm.Guid':
      return (v) => escapeXml(String(v));
    case 'Edm.Double':
      return (v) => xmlDouble(Number(v));
    case 'Edm.Decimal':
    case 'Edm.Int64':
      return (v) => String(Number(v));
    case 'Edm.Boolean':
      return (v) => (v ? 'true' : 'false');
    case 'Edm.DateTime':
      return (v) => formatIsoDateTime(Number(v));
    case 'Edm.Time':
      return (v) => formatDuration(Number(v));
    default:
      return (v) => String(Math.trunc(Number(v)));
  }
}

/**
 * `typed` says whether to write `m:type`: properties carry it, collection elements do not (the
 * collection's `m:type` covers them), and strings never do.
 */
function buildWriter(type: EdmTypeName, typed: boolean): ElementWriter {
  const typeAttr = typed && type !== 'Edm.String' ? ` m:type="${qualified(type)}"` : '';
  if (isCollectionType(type)) {
    const element = writerFor(elementType(type), false);
    return (tag, value, decl = '') => {
      if (value === null || value === undefined) return `<${tag}${decl} m:null="true" />`;
      let inner = '';
      for (const item of value as readonly unknown[]) inner += element('d:element', item);
      return `<${tag}${decl}${typeAttr}>${inner}</${tag}>`;
    };
  }
  if (!isPrimitive(type)) {
    let plan: Plan | undefined;
    return (tag, value, decl = '') => {
      if (value === null || value === undefined) return `<${tag}${decl} m:null="true" />`;
      plan ??= planOf(complexMembers(type));
      return `<${tag}${decl}${typeAttr}>${propertiesText(plan, value as EntityRecord)}</${tag}>`;
    };
  }
  const text = primitiveText(type);
  return (tag, value, decl = '') =>
    value === null || value === undefined
      ? `<${tag}${decl} m:null="true" />`
      : `<${tag}${decl}${typeAttr}>${text(value)}</${tag}>`;
}

interface Plan {
  tags: string[];
  names: string[];
  writers: ElementWriter[];
}

const planOf = (properties: readonly PropertyDef[]): Plan => ({
  tags: properties.map((p) => `d:${p.name}`),
  names: properties.map((p) => p.name),
  writers: properties.map((p) => writerFor(p.type, true)),
});

function propertiesText(plan: Plan, record: EntityRecord): string {
  let out = '';
  for (let i = 0; i < plan.tags.length; i++) out += plan.writers[i]!(plan.tags[i]!, record[plan.names[i]!]);
  return out;
}

const entityPlans = new Map<EntityTypeDef, Plan>();
function entityPlan(type: EntityTypeDef, select: readonly string[] | undefined): Plan {
  if (select) return planOf(selectedProperties(type, select));
  let plan = entityPlans.get(type);
  if (!plan) {
    plan = planOf(type.properties);
    entityPlans.set(type, plan);
  }
  return plan;
}

const attr = (value: string): string => escapeXml(value);
const updated = (ctx: SerializeContext): string =>
  `<updated>${formatAtomUpdated(ctx.now ?? Date.now())}</updated>`;

/** One `<entry>`; `root` adds the XML declaration, `xml:base` and the namespace declarations. */
function entryText(
  type: EntityTypeDef,
  entity: EntityRecord,
  ctx: SerializeContext,
  select: readonly string[] | undefined,
  root: boolean,
): string {
  const path = entityPath(type, entity);
  const self = ctx.apiRoot + path;
  let out = root ? `${XML_DECLARATION}<entry xml:base="${attr(ctx.apiRoot)}" ${NAMESPACES}>` : '<entry>';
  out += `<id>${escapeXml(self)}</id>`;
  out += `<category term="${qualified(type.name)}" scheme="${SCHEME_NS}" />`;
  out += `<link rel="edit" title="${type.name}" href="${attr(path)}" />`;
  for (const nav of selectedNavigation(type, select)) {
    const kind = nav.many ? 'feed' : 'entry';
    out += `<link rel="${RELATED_NS}${nav.name}" type="application/atom+xml;type=${kind}" title="${nav.name}" href="${attr(`${path}/${nav.name}`)}" />`;
  }
  out += `<title />${updated(ctx)}<author><name /></author>`;
  for (const action of actionsBoundTo(type.set)) {
    const metadata = `${ctx.apiRoot}$metadata#${CONTAINER_NAME}.${action.name}`;
    out += `<m:action metadata="${attr(metadata)}" title="${action.name}" target="${attr(`${self}/${action.name}`)}" />`;
  }
  out += `<content type="application/xml"><m:properties>${propertiesText(entityPlan(type, select), entity)}</m:properties></content>`;
  return `${out}</entry>`;
}

export function atomEntry(
  type: EntityTypeDef,
  entity: EntityRecord,
  ctx: SerializeContext,
  select?: readonly string[],
): string {
  return entryText(type, entity, ctx, select, true);
}

export function atomFeed(
  type: EntityTypeDef,
  entities: readonly EntityRecord[],
  ctx: SerializeContext,
  opts: CollectionOptions,
): string {
  const source = opts.navigationSource ?? type.set;
  const title = source.slice(source.lastIndexOf('/') + 1);
  let out = `${XML_DECLARATION}<feed xml:base="${attr(ctx.apiRoot)}" ${NAMESPACES}>`;
  out += `<id>${escapeXml(ctx.apiRoot + source)}</id><title type="text">${escapeXml(title)}</title>${updated(ctx)}`;
  out += `<link rel="self" title="${attr(title)}" href="${attr(source)}" />`;
  if (opts.count !== undefined) out += `<m:count>${opts.count}</m:count>`;
  for (const entity of entities) out += entryText(type, entity, ctx, opts.select, false);
  if (opts.nextLink !== undefined) out += `<link rel="next" href="${attr(opts.nextLink)}" />`;
  return `${out}</feed>`;
}

/** A property (`Jobs('…')/State`) or a function's result as a lone `<d:Name>` document. */
export function atomValue(name: string, type: EdmTypeName, value: unknown): string {
  return XML_DECLARATION + writerFor(type, true)(`d:${name}`, value, DATA_NAMESPACES);
}

export function atomLinks(uris: readonly string[], source: LinksSource): string {
  let out = `${XML_DECLARATION}<links xmlns="${DATA_NS}" xmlns:m="${METADATA_NS}">`;
  if (source.count !== undefined) out += `<m:count>${source.count}</m:count>`;
  for (const uri of uris) out += `<uri>${escapeXml(uri)}</uri>`;
  if (source.nextLink !== undefined) out += `<next>${escapeXml(source.nextLink)}</next>`;
  return `${out}</links>`;
}

export const atomLink = (uri: string): string =>
  `${XML_DECLARATION}<uri xmlns="${DATA_NS}">${escapeXml(uri)}</uri>`;
