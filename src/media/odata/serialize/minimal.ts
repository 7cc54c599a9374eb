import type { EdmTypeName, EntityRecord, EntityTypeDef, PropertyDef } from '../edm.js';
import { elementType, isCollectionType, isPrimitive, qualified } from '../edm.js';
import { complexMembersOf as complexMembers } from '../model.js';
import type { CollectionOptions, LinksSource, SerializeContext } from './context.js';
import {
  formatDuration,
  formatIsoDateTime,
  jsonDoubleMinimal,
  selectSuffix,
  selectedProperties,
} from './values.js';

/**
 * JSON Light with minimal metadata (`application/json;odata=minimalmetadata`): a context URL and
 * the bare values. Int64 and Decimal are strings, doubles keep a `.0`, dates are ISO 8601. No
 * navigation links or type annotations: they follow from the context URL by convention.
 *
 * Writers are built once per type and reused, because listing 1,000 entities must cost about a
 * millisecond: each entity is one pass of string concatenation over precomputed property keys.
 */

type Writer = (value: unknown) => string;

const writers = new Map<EdmTypeName, Writer>();

function writerFor(type: EdmTypeName): Writer {
  let writer = writers.get(type);
  if (!writer) {
    writer = buildWriter(type);
    writers.set(type, writer);
  }
  return writer;
}

const orNull =
  (write: Writer): Writer =>
  (value) =>
    value === null || value === undefined ? 'null' : write(value);

function buildWriter(type: EdmTypeName): Writer {
  if (isCollectionType(type)) {
    const element = writerFor(elementType(type));
    return orNull((value) => {
      const items = value as readonly unknown[];
      let out = '[';
      for (let i = 0; i < items.length; i++) out += (i ? ',' : '') + element(items[i]);
      return `${out}]`;
    });
  }
  if (!isPrimitive(type)) return orNull(membersWriter(complexMembers(type)));
  switch (type) {
    case 'Edm.String':
    case 'Edm.Guid':
      return orNull((v) => JSON.stringify(String(v)));
    case 'Edm.Int64':
    case 'Edm.Decimal':
      return orNull((v) => `"${Number(v)}"`);
    case 'Edm.Double':
      return orNull((v) => jsonDoubleMinimal(Number(v)));
    case 'Edm.Boolean':
      return orNull((v) => (v ? 'true' : 'false'));
    case 'Edm.DateTime':
      return orNull((v) => `"${formatIsoDateTime(Number(v))}"`);
    case 'Edm.Time':
      return orNull((v) => `"${formatDuration(Number(v))}"`);
    default:
      return orNull((v) => String(Math.trunc(Number(v))));
  }
}

interface Plan {
  /** `"Id":` for the first member, `,"Name":` after it. */
  keys: string[];
  names: string[];
  writers: Writer[];
}

function planOf(properties: readonly PropertyDef[]): Plan {
  return {
    keys: properties.map((p, i) => `${i ? ',' : ''}${JSON.stringify(p.name)}:`),
    names: properties.map((p) => p.name),
    writers: properties.map((p) => writerFor(p.type)),
  };
}

/** The members of a record as `"A":1,"B":"x"` (no braces), or `{…}` as a writer. */
function membersText(plan: Plan, record: EntityRecord): string {
  let out = '';
  const { keys, names, writers: ws } = plan;
  for (let i = 0; i < keys.length; i++) out += keys[i]! + ws[i]!(record[names[i]!]);
  return out;
}

function membersWriter(properties: readonly PropertyDef[]): Writer {
  let plan: Plan | undefined;
  return (value) => {
    plan ??= planOf(properties);
    return `{${membersText(plan, value as EntityRecord)}}`;
  };
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

const contextUrl = (ctx: SerializeContext, fragment: string): string =>
  JSON.stringify(`${ctx.apiRoot}$metadata#${fragment}`);

export function minimalEntity(
  type: EntityTypeDef,
  entity: EntityRecord,
  ctx: SerializeContext,
  select?: readonly string[],
): string {
  const plan = entityPlan(type, select);
  const members = membersText(plan, entity);
  const context = contextUrl(ctx, `${type.set}/@Element${selectSuffix(select)}`);
  return `{"odata.metadata":${context}${members ? `,${members}` : ''}}`;
}

export function minimalCollection(
  type: EntityTypeDef,
  entities: readonly EntityRecord[],
  ctx: SerializeContext,
  opts: CollectionOptions,
): string {
  const plan = entityPlan(type, opts.select);
  let out = `{"odata.metadata":${contextUrl(ctx, type.set + selectSuffix(opts.select))}`;
  if (opts.count !== undefined) out += `,"odata.count":"${opts.count}"`;
  out += ',"value":[';
  for (let i = 0; i < entities.length; i++) out += `${i ? ',' : ''}{${membersText(plan, entities[i]!)}}`;
  out += ']';
  if (opts.nextLink !== undefined) out += `,"odata.nextLink":${JSON.stringify(opts.nextLink)}`;
  return `${out}}`;
}

/**
 * One value with its type in the context URL: a property (`Jobs('…')/State`) or a function's
 * result. Complex values carry their members beside the context URL, as JSON Light writes them.
 */
export function minimalValue(type: EdmTypeName, value: unknown, ctx: SerializeContext): string {
  const context = contextUrl(ctx, qualified(type));
  if (value === null || value === undefined) return `{"odata.metadata":${context},"odata.null":true}`;
  if (!isPrimitive(type) && !isCollectionType(type)) {
    const members = membersText(planOf(complexMembers(type)), value as EntityRecord);
    return `{"odata.metadata":${context}${members ? `,${members}` : ''}}`;
  }
  return `{"odata.metadata":${context},"value":${writerFor(type)(value)}}`;
}

export function minimalLinks(uris: readonly string[], ctx: SerializeContext, source: LinksSource): string {
  let out = `{"odata.metadata":${contextUrl(ctx, `${source.set}/$links/${source.navigation}`)}`;
  if (source.count !== undefined) out += `,"odata.count":"${source.count}"`;
  out += `,"value":[${uris.map((u) => `{"url":${JSON.stringify(u)}}`).join(',')}]`;
  if (source.nextLink !== undefined) out += `,"odata.nextLink":${JSON.stringify(source.nextLink)}`;
  return `${out}}`;
}

export function minimalLink(uri: string, ctx: SerializeContext, source: LinksSource): string {
  return `{"odata.metadata":${contextUrl(ctx, `${source.set}/$links/${source.navigation}`)},"url":${JSON.stringify(uri)}}`;
}
