import type { EdmTypeName, EntityRecord, EntityTypeDef, PropertyDef } from '../edm.js';
import { elementType, isCollectionType, isPrimitive, qualified } from '../edm.js';
import { CONTAINER_NAME, actionsBoundTo, complexMembersOf as complexMembers } from '../model.js';
import type { CollectionOptions, LinksSource, SerializeContext } from './context.js';
import {
  entityPath,
  formatDuration,
  formatIsoDateTime,
  jsonDoubleVerbose,
  jsonMsDate,
  selectedNavigation,
  selectedProperties,
} from './values.js';

/**
 * Verbose JSON (`application/json;odata=verbose`), the RestSharp sample's dialect: everything
 * inside `"d"`, each entity with `__metadata` (id, uri, type, bound actions) and a `__deferred` link
 * per navigation property, collections as `results`. Int64 and Decimal are strings; dates are
 * `"\/Date(ms)\/"` for DataServiceVersion 1.0/2.0 responses and ISO 8601 for 3.0.
 */

type Writer = (value: unknown) => string;
type DateForm = 'ms' | 'iso';

const dateForm = (ctx: SerializeContext): DateForm => (ctx.dataServiceVersion === '3.0' ? 'iso' : 'ms');

const writers = new Map<string, Writer>();

function writerFor(type: EdmTypeName, dates: DateForm): Writer {
  const cacheKey = `${dates}|${type}`;
  let writer = writers.get(cacheKey);
  if (!writer) {
    writer = buildWriter(type, dates);
    writers.set(cacheKey, writer);
  }
  return writer;
}

const orNull =
  (write: Writer): Writer =>
  (value) =>
    value === null || value === undefined ? 'null' : write(value);

function buildWriter(type: EdmTypeName, dates: DateForm): Writer {
  if (isCollectionType(type)) {
    const element = elementType(type);
    // Elements of a collection carry no __metadata of their own: the collection's type says it.
    const write = isPrimitive(element) ? writerFor(element, dates) : bareComplexWriter(element, dates);
    const head = `{"__metadata":{"type":${JSON.stringify(qualified(type))}},"results":[`;
    return orNull((value) => `${head}${(value as readonly unknown[]).map(write).join(',')}]}`);
  }
  if (!isPrimitive(type)) {
    const members = bareComplexMembers(type, dates);
    const head = `{"__metadata":{"type":${JSON.stringify(qualified(type))}}`;
    return orNull((value) => {
      const body = members(value as EntityRecord);
      return `${head}${body ? `,${body}` : ''}}`;
    });
  }
  switch (type) {
    case 'Edm.String':
    case 'Edm.Guid':
      return orNull((v) => JSON.stringify(String(v)));
    case 'Edm.Int64':
    case 'Edm.Decimal':
      return orNull((v) => `"${Number(v)}"`);
    case 'Edm.Double':
      return orNull((v) => jsonDoubleVerbose(Number(v)));
    case 'Edm.Boolean':
      return orNull((v) => (v ? 'true' : 'false'));
    case 'Edm.DateTime':
      return dates === 'ms'
        ? orNull((v) => jsonMsDate(Number(v)))
        : orNull((v) => `"${formatIsoDateTime(Number(v))}"`);
    case 'Edm.Time':
      return orNull((v) => `"${formatDuration(Number(v))}"`);
    default:
      return orNull((v) => String(Math.trunc(Number(v))));
  }
}

function bareComplexMembers(name: string, dates: DateForm): (record: EntityRecord) => string {
  let plan: Plan | undefined;
  return (record) => {
    plan ??= planOf(complexMembers(name), dates);
    return membersText(plan, record);
  };
}

function bareComplexWriter(name: string, dates: DateForm): Writer {
  const members = bareComplexMembers(name, dates);
  return orNull((value) => `{${members(value as EntityRecord)}}`);
}

interface Plan {
  keys: string[];
  names: string[];
  writers: Writer[];
}

function planOf(properties: readonly PropertyDef[], dates: DateForm): Plan {
  return {
    keys: properties.map((p, i) => `${i ? ',' : ''}${JSON.stringify(p.name)}:`),
    names: properties.map((p) => p.name),
    writers: properties.map((p) => writerFor(p.type, dates)),
  };
}

function membersText(plan: Plan, record: EntityRecord): string {
  let out = '';
  const { keys, names, writers: ws } = plan;
  for (let i = 0; i < keys.length; i++) out += keys[i]! + ws[i]!(record[names[i]!]);
  return out;
}

const entityPlans = new Map<string, Plan>();
function entityPlan(type: EntityTypeDef, select: readonly string[] | undefined, dates: DateForm): Plan {
  if (select) return planOf(selectedProperties(type, select), dates);
  const cacheKey = `${dates}|${type.set}`;
  let plan = entityPlans.get(cacheKey);
  if (!plan) {
    plan = planOf(type.properties, dates);
    entityPlans.set(cacheKey, plan);
  }
  return plan;
}

/** JSON string content without the quotes, so URLs can be extended by concatenation. */
const jsonInner = (text: string): string => JSON.stringify(text).slice(1, -1);

/** One entity's object, without the `"d"` wrapper. */
function entityObject(
  type: EntityTypeDef,
  entity: EntityRecord,
  ctx: SerializeContext,
  select?: readonly string[],
): string {
  const self = jsonInner(ctx.apiRoot + entityPath(type, entity));
  let out = `{"__metadata":{"id":"${self}","uri":"${self}","type":"${qualified(type.name)}"`;
  const actions = actionsBoundTo(type.set);
  if (actions.length > 0) {
    const metadata = `${jsonInner(ctx.apiRoot)}$metadata#${CONTAINER_NAME}.`;
    const entries = actions.map(
      (a) => `"${metadata}${a.name}":[{"title":"${a.name}","target":"${self}/${a.name}"}]`,
    );
    out += `,"actions":{${entries.join(',')}}`;
  }
  out += '}';
  for (const nav of selectedNavigation(type, select))
    out += `,"${nav.name}":{"__deferred":{"uri":"${self}/${nav.name}"}}`;
  const members = membersText(entityPlan(type, select, dateForm(ctx)), entity);
  return `${out}${members ? `,${members}` : ''}}`;
}

export function verboseEntity(
  type: EntityTypeDef,
  entity: EntityRecord,
  ctx: SerializeContext,
  select?: readonly string[],
): string {
  return `{"d":${entityObject(type, entity, ctx, select)}}`;
}

export function verboseCollection(
  type: EntityTypeDef,
  entities: readonly EntityRecord[],
  ctx: SerializeContext,
  opts: CollectionOptions,
): string {
  let out = '{"d":{';
  if (opts.count !== undefined) out += `"__count":"${opts.count}",`;
  out += '"results":[';
  for (let i = 0; i < entities.length; i++)
    out += (i ? ',' : '') + entityObject(type, entities[i]!, ctx, opts.select);
  out += ']';
  if (opts.nextLink !== undefined) out += `,"__next":${JSON.stringify(opts.nextLink)}`;
  return `${out}}}`;
}

/** `{"d":{"State":2}}` for a property, `{"d":{"GetProtectionKeyId":"…"}}` for a function's result. */
export function verboseValue(name: string, type: EdmTypeName, value: unknown, ctx: SerializeContext): string {
  return `{"d":{${JSON.stringify(name)}:${writerFor(type, dateForm(ctx))(value)}}}`;
}

export function verboseLinks(uris: readonly string[], source: LinksSource): string {
  let out = '{"d":{';
  if (source.count !== undefined) out += `"__count":"${source.count}",`;
  out += `"results":[${uris.map((u) => `{"uri":${JSON.stringify(u)}}`).join(',')}]`;
  if (source.nextLink !== undefined) out += `,"__next":${JSON.stringify(source.nextLink)}`;
  return `${out}}}`;
}

export const verboseLink = (uri: string): string => `{"d":{"uri":${JSON.stringify(uri)}}}`;
