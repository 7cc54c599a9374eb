import type { ComplexTypeDef, EdmTypeName, EntityTypeDef, NavigationDef, PropertyDef } from './edm.js';
import { elementType, isCollectionType, isPrimitive, qualified } from './edm.js';
import { mediaErrors } from '../errors.js';
import { complexTypes, entitySets, keyPropertyOf, navigationOf, propertyOf } from './model.js';
import {
  ATOM_NS,
  DATA_NS,
  METADATA_NS,
  RELATED_NS,
  parseDateTime,
  parseDuration,
} from './serialize/values.js';

/**
 * Request bodies in every dialect the service accepted: JSON (minimal and verbose, as leniently
 * as the OData reader took it: numbers and booleans as strings, single-quoted strings, unquoted
 * names) and Atom entries. Values come out typed by the model (see edm.ts for the in-memory forms);
 * navigation properties come out as bind URLs or inline entities. The caller bounds the size;
 * this module bounds nesting (32 levels) and refuses DTDs, so no input expands or recurses without
 * limit.
 */

export interface EntityBody {
  values: Record<string, unknown>;
  /** Navigation property → the URLs it binds (`InputMediaAssets@odata.bind`, verbose `__metadata.uri`, Atom links). */
  binds: Record<string, string[]>;
  /** Navigation property → entities written inline (a Job's Tasks), their values typed by the target type. */
  nested: Record<string, Record<string, unknown>[]>;
}

const MAX_DEPTH = 32;

export function readEntityBody(
  contentType: string | undefined,
  body: Buffer,
  type: EntityTypeDef,
): EntityBody {
  const text = decode(body);
  if (dialectOf(contentType, text) === 'json') {
    let root = parseLenientJson(text);
    if (!isRecord(root)) throw mediaErrors.malformedBody('the body must be a JSON object.');
    root = unwrapVerbose(root);
    return readJsonEntity(root as JsonObject, type, true);
  }
  const root = parseXml(text);
  if (root.ns !== ATOM_NS || root.local !== 'entry')
    throw mediaErrors.malformedBody('expected an Atom <entry> element.');
  return readAtomEntry(root, type, true);
}

/** A `$links` body: `{"uri":"…"}` (also `url`, verbose `{"d":{…}}`) or `<uri>…</uri>`. */
export function readLinkBody(contentType: string | undefined, body: Buffer): string {
  const text = decode(body);
  let uri: unknown;
  if (dialectOf(contentType, text) === 'json') {
    const root = parseLenientJson(text);
    if (isRecord(root)) {
      const obj = unwrapVerbose(root);
      const metadata = obj['__metadata'];
      uri =
        obj['uri'] ??
        obj['url'] ??
        obj['odata.id'] ??
        obj['@odata.id'] ??
        (isRecord(metadata) ? metadata['uri'] : undefined);
    }
  } else {
    const root = parseXml(text);
    if (root.local === 'uri') uri = root.text;
  }
  if (typeof uri !== 'string' || uri.trim() === '')
    throw mediaErrors.malformedBody('expected a link: {"uri": "…"} or <uri>…</uri>.');
  return uri.trim();
}

/**
 * An action's JSON body (`{"scaleUnits":1}`, `{"keyDeliveryType":2}`); an empty body is no
 * parameters. Given the action's declared parameters, names match case-insensitively (clients
 * capitalised them), values are coerced, and an undeclared name is refused.
 */
export function readActionParameters(
  contentType: string | undefined,
  body: Buffer,
  parameters?: readonly PropertyDef[],
): Record<string, unknown> {
  if (body.length === 0 || body.toString('utf8').trim() === '') return {};
  const text = decode(body);
  if (dialectOf(contentType, text) !== 'json')
    throw mediaErrors.unsupportedMediaType(mediaTypeOf(contentType) || 'application/xml');
  const root = parseLenientJson(text);
  if (!isRecord(root)) throw mediaErrors.malformedBody('the action parameters must be a JSON object.');
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(root)) {
    if (!parameters) {
      result[name] = value;
      continue;
    }
    const lower = name.toLowerCase();
    const def = parameters.find((p) => p.name.toLowerCase() === lower);
    if (!def) throw mediaErrors.badRequest(`The parameter '${name}' is not a parameter of this action.`);
    result[def.name] = coerceProperty(def, value);
  }
  return result;
}

// ---------------------------------------------------------------- text and dialect

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(body: Buffer): string {
  if (body.length === 0) throw mediaErrors.malformedBody('the body is empty.');
  try {
    return utf8.decode(body); // drops a BOM
  } catch {
    throw mediaErrors.malformedBody('the body is not valid UTF-8.');
  }
}

const mediaTypeOf = (contentType: string | undefined): string =>
  (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();

/**
 * JSON or XML by Content-Type; clients that send none (or a generic one) are read by the body's
 * first character, as the service accepted them.
 */
function dialectOf(contentType: string | undefined, text: string): 'json' | 'xml' {
  const media = mediaTypeOf(contentType);
  if (media.includes('json')) return 'json';
  if (media.includes('xml')) return 'xml';
  const generic =
    media === '' || media === 'text/plain' || media === 'application/octet-stream' || media === '*/*';
  if (!generic) throw mediaErrors.unsupportedMediaType(media);
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return 'json';
  if (first === '<') return 'xml';
  throw mediaErrors.malformedBody('the body is neither JSON nor XML.');
}

// ---------------------------------------------------------------- lenient JSON

type JsonObject = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Verbose JSON wraps the entity in `{"d": …}`; no type here has a property named `d`. */
const unwrapVerbose = (obj: JsonObject): JsonObject => {
  const keys = Object.keys(obj);
  const inner = obj['d'];
  return keys.length === 1 && keys[0] === 'd' && isRecord(inner) ? inner : obj;
};

interface Cursor {
  text: string;
  pos: number;
}

const jsonError = (c: Cursor, what: string) =>
  mediaErrors.malformedBody(`invalid JSON at position ${c.pos}: ${what}.`);

/**
 * JSON as the OData v3 reader accepted it: standard JSON plus single-quoted strings and unquoted
 * property names. Objects have no prototype (a `__proto__` key is only a key). Recursion is
 * bounded by MAX_DEPTH.
 */
export function parseLenientJson(text: string): unknown {
  const c: Cursor = { text, pos: 0 };
  skipWhitespace(c);
  const value = parseValue(c, 0);
  skipWhitespace(c);
  if (c.pos < text.length) throw jsonError(c, 'unexpected text after the value');
  return value;
}

function skipWhitespace(c: Cursor): void {
  const { text } = c;
  while (c.pos < text.length) {
    const ch = text.charCodeAt(c.pos);
    if (ch !== 32 && ch !== 9 && ch !== 10 && ch !== 13 && ch !== 0xfeff) return;
    c.pos++;
  }
}

function parseValue(c: Cursor, depth: number): unknown {
  const ch = c.text[c.pos];
  if (ch === '{' || ch === '[') {
    if (depth >= MAX_DEPTH) throw jsonError(c, `nested deeper than ${MAX_DEPTH} levels`);
    return ch === '{' ? parseObject(c, depth + 1) : parseArray(c, depth + 1);
  }
  if (ch === '"' || ch === "'") return parseString(c);
  if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return parseNumber(c);
  if (ch === undefined) throw jsonError(c, 'unexpected end of input');
  const word = readIdentifier(c);
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  throw jsonError(c, word ? `unexpected '${word}'` : `unexpected '${ch}'`);
}

function parseObject(c: Cursor, depth: number): JsonObject {
  const obj = Object.create(null) as JsonObject;
  c.pos++; // {
  skipWhitespace(c);
  if (c.text[c.pos] === '}') {
    c.pos++;
    return obj;
  }
  for (;;) {
    skipWhitespace(c);
    const q = c.text[c.pos];
    const key = q === '"' || q === "'" ? parseString(c) : readIdentifier(c);
    if (!key && q !== '"' && q !== "'") throw jsonError(c, 'expected a property name');
    skipWhitespace(c);
    if (c.text[c.pos] !== ':') throw jsonError(c, "expected ':'");
    c.pos++;
    skipWhitespace(c);
    if (Object.hasOwn(obj, key)) throw jsonError(c, `duplicate property '${key}'`);
    obj[key] = parseValue(c, depth);
    skipWhitespace(c);
    const next = c.text[c.pos];
    c.pos++;
    if (next === '}') return obj;
    if (next !== ',') {
      c.pos--;
      throw jsonError(c, next === undefined ? 'unexpected end of input' : "expected ',' or '}'");
    }
  }
}

function parseArray(c: Cursor, depth: number): unknown[] {
  const items: unknown[] = [];
  c.pos++; // [
  skipWhitespace(c);
  if (c.text[c.pos] === ']') {
    c.pos++;
    return items;
  }
  for (;;) {
    skipWhitespace(c);
    items.push(parseValue(c, depth));
    skipWhitespace(c);
    const next = c.text[c.pos];
    c.pos++;
    if (next === ']') return items;
    if (next !== ',') {
      c.pos--;
      throw jsonError(c, next === undefined ? 'unexpected end of input' : "expected ',' or ']'");
    }
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function parseString(c: Cursor): string {
  const { text } = c;
  const quote = text[c.pos];
  c.pos++;
  let out = '';
  let start = c.pos;
  while (c.pos < text.length) {
    const ch = text[c.pos];
    if (ch === quote) {
      out += text.slice(start, c.pos);
      c.pos++;
      return out;
    }
    if (ch === '\\') {
      out += text.slice(start, c.pos);
      const e = text[c.pos + 1];
      if (e === 'u') {
        const hex = text.slice(c.pos + 2, c.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw jsonError(c, 'invalid \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        c.pos += 6;
      } else {
        const decoded = e === undefined ? undefined : ESCAPES[e];
        if (decoded === undefined) throw jsonError(c, 'invalid escape');
        out += decoded;
        c.pos += 2;
      }
      start = c.pos;
      continue;
    }
    c.pos++;
  }
  throw jsonError(c, 'unterminated string');
}

function parseNumber(c: Cursor): number {
  const { text } = c;
  const start = c.pos;
  if (text[c.pos] === '-') c.pos++;
  const digits = (): number => {
    const from = c.pos;
    while (c.pos < text.length && text.charCodeAt(c.pos) >= 48 && text.charCodeAt(c.pos) <= 57) c.pos++;
    return c.pos - from;
  };
  if (digits() === 0) throw jsonError(c, 'invalid number');
  if (text[c.pos] === '.') {
    c.pos++;
    if (digits() === 0) throw jsonError(c, 'invalid number');
  }
  if (text[c.pos] === 'e' || text[c.pos] === 'E') {
    c.pos++;
    if (text[c.pos] === '+' || text[c.pos] === '-') c.pos++;
    if (digits() === 0) throw jsonError(c, 'invalid number');
  }
  return Number(text.slice(start, c.pos));
}

/** An unquoted name: letters, digits and `_ $ @ .` (so `Nav@odata.bind` works bare too). */
function readIdentifier(c: Cursor): string {
  const { text } = c;
  const start = c.pos;
  while (c.pos < text.length) {
    const ch = text.charCodeAt(c.pos);
    const ok =
      (ch >= 65 && ch <= 90) ||
      (ch >= 97 && ch <= 122) ||
      (ch >= 48 && ch <= 57) ||
      ch === 95 ||
      ch === 36 ||
      ch === 64 ||
      ch === 46;
    if (!ok) break;
    c.pos++;
  }
  return text.slice(start, c.pos);
}

// ---------------------------------------------------------------- JSON entities

function readJsonEntity(obj: JsonObject, type: EntityTypeDef, topLevel: boolean): EntityBody {
  const result: EntityBody = { values: {}, binds: {}, nested: {} };
  for (const [name, raw] of Object.entries(obj)) {
    if (name === '__metadata' || name.startsWith('odata.') || name.startsWith('@')) continue;
    const at = name.indexOf('@');
    if (at > 0) {
      const target = name.slice(0, at);
      const nav = navigationOf(type, target);
      if (name.slice(at + 1) === 'odata.bind') {
        if (!nav) throw mediaErrors.unknownProperty(type.name, target);
        if (!topLevel) throw nestedNavigation(type, nav);
        addBinds(result, nav.name, bindUrls(name, raw));
      } else if (!nav && !propertyOf(type, target)) {
        throw mediaErrors.unknownProperty(type.name, target);
      }
      continue; // other instance annotations (odata.type, odata.navigationLinkUrl) say nothing we use
    }
    const nav = navigationOf(type, name);
    if (nav) {
      readJsonNavigation(result, type, nav, raw, topLevel);
      continue;
    }
    const def = propertyOf(type, name);
    if (!def) throw mediaErrors.unknownProperty(type.name, name);
    result.values[name] = readProperty(type, def, raw);
  }
  return result;
}

/**
 * A null key is "let the service choose": the .NET SDK sends `Id` null for new entities, also for
 * Locators, whose id a client may otherwise choose. Whether a key is required is the rules' call.
 */
function readProperty(type: EntityTypeDef, def: PropertyDef, raw: unknown): unknown {
  if ((raw === null || raw === undefined) && def.name === keyPropertyOf(type)) return null;
  return coerceProperty(def, raw);
}

function bindUrls(name: string, raw: unknown): string[] {
  const urls = Array.isArray(raw) ? raw : [raw];
  return urls.map((url) => {
    if (typeof url !== 'string' || url.trim() === '')
      throw mediaErrors.invalidProperty(name, 'expected a URL or a list of URLs.');
    return url.trim();
  });
}

function addBinds(result: EntityBody, nav: string, urls: readonly string[]): void {
  (result.binds[nav] ??= []).push(...urls);
}

const nestedNavigation = (type: EntityTypeDef, nav: NavigationDef) =>
  mediaErrors.badRequest(
    `Navigation property '${nav.name}' of an inline '${type.name}' entity is not supported.`,
  );

/** A verbose bind item: `{"__metadata":{"uri":"…"}}` (or a `$links`-style `{"uri":"…"}`). */
function bindUri(item: JsonObject): string | undefined {
  const metadata = item['__metadata'];
  if (isRecord(metadata) && typeof metadata['uri'] === 'string') {
    const others = Object.keys(item).filter((k) => k !== '__metadata');
    if (others.length === 0) return metadata['uri'];
  }
  const keys = Object.keys(item);
  if (keys.length === 1 && keys[0] === 'uri' && typeof item['uri'] === 'string') return item['uri'];
  return undefined;
}

function readJsonNavigation(
  result: EntityBody,
  type: EntityTypeDef,
  nav: NavigationDef,
  raw: unknown,
  topLevel: boolean,
): void {
  if (raw === null || raw === undefined) return;
  if (isRecord(raw) && raw['__deferred'] !== undefined) return; // an echoed response's deferred link
  if (!topLevel) throw nestedNavigation(type, nav);
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (isRecord(raw) && Array.isArray(raw['results']))
    items = raw['results']; // verbose collection wrapper
  else if (isRecord(raw)) items = [raw];
  else throw mediaErrors.invalidProperty(nav.name, 'expected links or entities.');
  const target = targetOf(nav);
  for (const item of items) {
    if (!isRecord(item)) throw mediaErrors.invalidProperty(nav.name, 'expected links or entities.');
    const uri = bindUri(item);
    if (uri !== undefined) {
      if (uri.trim() === '') throw mediaErrors.invalidProperty(nav.name, 'a link has an empty URI.');
      addBinds(result, nav.name, [uri.trim()]);
      continue;
    }
    (result.nested[nav.name] ??= []).push(readJsonEntity(item, target, false).values);
  }
}

function targetOf(nav: NavigationDef): EntityTypeDef {
  const target = entitySets.get(nav.target);
  if (!target) throw new Error(`Navigation ${nav.name} leads to unknown set ${nav.target}`);
  return target;
}

// ---------------------------------------------------------------- coercion

const describe = (value: unknown): string => {
  const text =
    typeof value === 'string'
      ? JSON.stringify(value)
      : Array.isArray(value)
        ? 'an array'
        : isRecord(value)
          ? 'an object'
          : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

/** A property's value from a body, typed by its declaration; null only where the property allows it. */
export function coerceProperty(def: PropertyDef, value: unknown): unknown {
  if (value === null || value === undefined) {
    // The .NET SDK sends service-set properties as null (`<d:Id m:null="true" />`): accepted, ignored later.
    if (def.nullable === false && !def.serverSet)
      throw mediaErrors.invalidProperty(def.name, 'the value must not be null.');
    return null;
  }
  return coerceValue(def.type, value, def.name);
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  'Edm.Byte': [0, 255],
  'Edm.Int16': [-32768, 32767],
  'Edm.Int32': [-2147483648, 2147483647],
  'Edm.Int64': [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * A JSON value, or an XML element's text, as the EDM type's in-memory form. Numbers and booleans
 * may come as strings; dates in any form `parseDateTime` reads; complex values as objects (members
 * not given are null); collections as arrays or verbose `{"results": […]}`.
 */
export function coerceValue(type: EdmTypeName, value: unknown, name: string): unknown {
  if (isCollectionType(type)) return coerceCollection(type, value, name);
  if (!isPrimitive(type)) return coerceComplex(type, value, name);
  const invalid = (expected: string) =>
    mediaErrors.invalidProperty(name, `expected ${expected}, got ${describe(value)}.`);
  switch (type) {
    case 'Edm.String':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw invalid('a string');
    case 'Edm.Guid':
      if (typeof value === 'string' && GUID.test(value.trim())) return value.trim().toLowerCase();
      throw invalid('a GUID');
    case 'Edm.Boolean': {
      if (typeof value === 'boolean') return value;
      const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      throw invalid('true or false');
    }
    case 'Edm.Double':
    case 'Edm.Decimal': {
      const n = toNumber(value, type === 'Edm.Double');
      if (n === undefined) throw invalid(type === 'Edm.Double' ? 'a number' : 'a decimal number');
      return n;
    }
    case 'Edm.DateTime': {
      const ms = typeof value === 'string' ? parseDateTime(value) : undefined;
      if (ms === undefined)
        throw invalid('a date and time (ISO 8601, \\/Date(ms)\\/ or M/D/YYYY h:mm:ss AM)');
      return ms;
    }
    case 'Edm.Time': {
      const ms = typeof value === 'string' ? parseDuration(value) : undefined;
      if (ms === undefined) throw invalid('a duration such as PT1H');
      return ms;
    }
    default: {
      const range = INTEGER_RANGES[type] ?? INTEGER_RANGES['Edm.Int32']!;
      let n: number | undefined;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'string' && INTEGER.test(value.trim())) n = Number(value.trim());
      if (n === undefined || !Number.isInteger(n) || n < range[0] || n > range[1])
        throw invalid(`an ${type} integer`);
      return n;
    }
  }
}

function toNumber(value: unknown, allowSpecial: boolean): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (DECIMAL.test(text)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  }
  if (!allowSpecial) return undefined;
  if (text === 'NaN') return Number.NaN;
  if (text === 'INF' || text === 'Infinity') return Number.POSITIVE_INFINITY;
  if (text === '-INF' || text === '-Infinity') return Number.NEGATIVE_INFINITY;
  return undefined;
}

function coerceCollection(type: EdmTypeName, value: unknown, name: string): unknown[] {
  let items: unknown = value;
  if (isRecord(value) && Array.isArray(value['results'])) items = value['results'];
  if (!Array.isArray(items))
    throw mediaErrors.invalidProperty(name, `expected a collection (${qualified(type)}).`);
  const element = elementType(type);
  return items.map((item) => {
    if (item === null || item === undefined)
      throw mediaErrors.invalidProperty(name, 'a collection cannot hold null.');
    return coerceValue(element, item, name);
  });
}

function complexDef(name: string): ComplexTypeDef {
  const def = complexTypes.get(name);
  if (!def) throw new Error(`Unknown complex type ${name}`);
  return def;
}

function coerceComplex(type: string, value: unknown, name: string): Record<string, unknown> {
  if (!isRecord(value))
    throw mediaErrors.invalidProperty(name, `expected an object of type ${qualified(type)}.`);
  const def = complexDef(type);
  const out: Record<string, unknown> = {};
  for (const member of def.properties) out[member.name] = null;
  for (const [key, raw] of Object.entries(value)) {
    if (key === '__metadata' || key.startsWith('odata.') || key.startsWith('@') || key.includes('@'))
      continue;
    const member = propertyOf(def, key);
    if (!member) throw mediaErrors.unknownProperty(def.name, key);
    out[key] = coerceProperty(member, raw);
  }
  return out;
}

// ---------------------------------------------------------------- XML

export interface XmlElement {
  ns: string;
  local: string;
  /** Attributes by `{namespace}local` (namespace-less ones by `local`); namespace declarations excluded. */
  attrs: Map<string, string>;
  children: XmlElement[];
  text: string;
}

const attrOf = (el: XmlElement, ns: string, local: string): string | undefined =>
  el.attrs.get(ns ? `{${ns}}${local}` : local);

const xmlError = (what: string) => mediaErrors.malformedBody(`invalid XML: ${what}.`);

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

interface OpenElement {
  el: XmlElement;
  qname: string;
  scope: Map<string, string>;
}

/**
 * A small non-validating XML reader for Atom entries: elements, attributes, namespaces, text,
 * CDATA, comments and processing instructions; the five predefined entities and character
 * references. Document types are refused, so no entity is ever defined or expanded.
 */
export function parseXml(text: string): XmlElement {
  const stack: OpenElement[] = [];
  let root: XmlElement | undefined;
  let pos = 0;
  const rootScope = new Map<string, string>([['xml', XML_NS]]);
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = text.slice(pos, lt === -1 ? text.length : lt);
    if (chunk) {
      const top = stack.at(-1);
      if (top) top.el.text += decodeEntities(chunk);
      else if (chunk.trim() !== '') throw xmlError('text outside the root element');
    }
    if (lt === -1) break;
    if (text.startsWith('<?', lt)) {
      pos = after(text, '?>', lt, 'an unterminated processing instruction');
    } else if (text.startsWith('<!--', lt)) {
      pos = after(text, '-->', lt, 'an unterminated comment');
    } else if (text.startsWith('<![CDATA[', lt)) {
      const top = stack.at(-1);
      if (!top) throw xmlError('CDATA outside the root element');
      const end = text.indexOf(']]>', lt);
      if (end === -1) throw xmlError('an unterminated CDATA section');
      top.el.text += text.slice(lt + 9, end);
      pos = end + 3;
    } else if (text.startsWith('<!', lt)) {
      throw xmlError('document type declarations are not allowed');
    } else if (text[lt + 1] === '/') {
      const gt = text.indexOf('>', lt);
      if (gt === -1) throw xmlError('an unterminated end tag');
      const qname = text.slice(lt + 2, gt).trim();
      const open = stack.pop();
      if (!open || open.qname !== qname) throw xmlError(`unexpected </${qname}>`);
      pos = gt + 1;
    } else {
      if (root && stack.length === 0) throw xmlError('more than one root element');
      if (stack.length >= MAX_DEPTH) throw xmlError(`elements nested deeper than ${MAX_DEPTH} levels`);
      const parentScope = stack.at(-1)?.scope ?? rootScope;
      const tag = readStartTag(text, lt, parentScope);
      const top = stack.at(-1);
      if (top) top.el.children.push(tag.el);
      else root = tag.el;
      if (!tag.selfClosing) stack.push({ el: tag.el, qname: tag.qname, scope: tag.scope });
      pos = tag.end;
    }
  }
  if (stack.length > 0) throw xmlError(`<${stack.at(-1)!.qname}> is not closed`);
  if (!root) throw xmlError('no root element');
  return root;
}

function after(text: string, terminator: string, from: number, what: string): number {
  const end = text.indexOf(terminator, from);
  if (end === -1) throw xmlError(what);
  return end + terminator.length;
}

const isNameEnd = (ch: string | undefined): boolean =>
  ch === undefined ||
  ch === ' ' ||
  ch === '\t' ||
  ch === '\n' ||
  ch === '\r' ||
  ch === '/' ||
  ch === '>' ||
  ch === '=';

function readStartTag(
  text: string,
  lt: number,
  parentScope: Map<string, string>,
): { el: XmlElement; qname: string; scope: Map<string, string>; selfClosing: boolean; end: number } {
  let pos = lt + 1;
  const nameStart = pos;
  while (!isNameEnd(text[pos])) pos++;
  const qname = text.slice(nameStart, pos);
  if (!qname || qname.includes('<')) throw xmlError('an invalid element name');
  const raw: [string, string][] = [];
  let selfClosing = false;
  for (;;) {
    while (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r') pos++;
    const ch = text[pos];
    if (ch === undefined) throw xmlError(`<${qname}> is not terminated`);
    if (ch === '>') {
      pos++;
      break;
    }
    if (ch === '/' && text[pos + 1] === '>') {
      selfClosing = true;
      pos += 2;
      break;
    }
    const attrStart = pos;
    while (!isNameEnd(text[pos])) pos++;
    const name = text.slice(attrStart, pos);
    while (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r') pos++;
    if (!name || text[pos] !== '=') throw xmlError(`an invalid attribute in <${qname}>`);
    pos++;
    while (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r') pos++;
    const quote = text[pos];
    if (quote !== '"' && quote !== "'") throw xmlError(`an unquoted attribute value in <${qname}>`);
    const end = text.indexOf(quote, pos + 1);
    if (end === -1) throw xmlError(`an unterminated attribute value in <${qname}>`);
    const value = text.slice(pos + 1, end);
    if (value.includes('<')) throw xmlError(`'<' in an attribute value of <${qname}>`);
    if (raw.some(([n]) => n === name)) throw xmlError(`duplicate attribute ${name} in <${qname}>`);
    raw.push([name, decodeEntities(value)]);
    pos = end + 1;
  }
  let scope = parentScope;
  for (const [name, value] of raw) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      scope.set(name === 'xmlns' ? '' : name.slice(6), value);
    }
  }
  const [prefix, local] = splitName(qname);
  const ns = scope.get(prefix);
  if (ns === undefined && prefix !== '') throw xmlError(`undeclared namespace prefix '${prefix}'`);
  const attrs = new Map<string, string>();
  for (const [name, value] of raw) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const [aPrefix, aLocal] = splitName(name);
    if (aPrefix === '') {
      attrs.set(aLocal, value);
      continue;
    }
    const aNs = scope.get(aPrefix);
    if (aNs === undefined) throw xmlError(`undeclared namespace prefix '${aPrefix}'`);
    attrs.set(`{${aNs}}${aLocal}`, value);
  }
  return { el: { ns: ns ?? '', local, attrs, children: [], text: '' }, qname, scope, selfClosing, end: pos };
}

function splitName(qname: string): [string, string] {
  const colon = qname.indexOf(':');
  return colon === -1 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const semi = text.indexOf(';', amp);
    if (semi === -1 || semi - amp > 12) throw xmlError("a '&' that starts no entity reference");
    const name = text.slice(amp + 1, semi);
    let decoded: string | undefined;
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      const valid =
        /^#(x[0-9a-fA-F]+|[0-9]+)$/.test(name) &&
        code > 0 &&
        code <= 0x10ffff &&
        (code < 0xd800 || code > 0xdfff);
      if (!valid) throw xmlError(`an invalid character reference &${name};`);
      decoded = String.fromCodePoint(code);
    } else {
      decoded = PREDEFINED[name];
      if (decoded === undefined) throw xmlError(`the undefined entity &${name};`);
    }
    out += text.slice(from, amp) + decoded;
    from = semi + 1;
    amp = text.indexOf('&', from);
  }
  return out + text.slice(from);
}

// ---------------------------------------------------------------- Atom entries

function readAtomEntry(entry: XmlElement, type: EntityTypeDef, topLevel: boolean): EntityBody {
  const result: EntityBody = { values: {}, binds: {}, nested: {} };
  let properties: XmlElement | undefined;
  for (const child of entry.children) {
    if (child.ns === ATOM_NS && child.local === 'link') {
      readAtomLink(result, type, child, topLevel);
    } else if (child.ns === ATOM_NS && child.local === 'content') {
      properties ??= child.children.find((c) => c.ns === METADATA_NS && c.local === 'properties');
    } else if (child.ns === METADATA_NS && child.local === 'properties') {
      properties ??= child; // a media link entry keeps its properties outside <content>
    }
  }
  for (const el of properties?.children ?? []) {
    if (el.ns !== DATA_NS) continue;
    const def = propertyOf(type, el.local);
    if (!def) throw mediaErrors.unknownProperty(type.name, el.local);
    if (Object.hasOwn(result.values, el.local)) throw xmlError(`property ${el.local} appears twice`);
    result.values[el.local] = readProperty(type, def, xmlValue(el, def.type));
  }
  return result;
}

function readAtomLink(result: EntityBody, type: EntityTypeDef, link: XmlElement, topLevel: boolean): void {
  const rel = attrOf(link, '', 'rel') ?? '';
  if (!rel.startsWith(RELATED_NS)) return; // edit, self and the like
  const navName = rel.slice(RELATED_NS.length);
  const nav = navigationOf(type, navName);
  if (!nav) throw mediaErrors.unknownProperty(type.name, navName);
  if (!topLevel) throw nestedNavigation(type, nav);
  const inline = link.children.find((c) => c.ns === METADATA_NS && c.local === 'inline');
  if (inline) {
    const target = targetOf(nav);
    for (const content of inline.children) {
      const entries =
        content.ns === ATOM_NS && content.local === 'feed'
          ? content.children.filter((c) => c.ns === ATOM_NS && c.local === 'entry')
          : content.ns === ATOM_NS && content.local === 'entry'
            ? [content]
            : [];
      for (const entry of entries)
        (result.nested[nav.name] ??= []).push(readAtomEntry(entry, target, false).values);
    }
    return;
  }
  const href = (attrOf(link, '', 'href') ?? '').trim();
  if (!href) throw mediaErrors.invalidProperty(nav.name, 'a link has no href.');
  addBinds(result, nav.name, [href]);
}

/** An XML property element as the value `coerceValue` reads: text, a record, or an array. */
function xmlValue(el: XmlElement, type: EdmTypeName): unknown {
  if (attrOf(el, METADATA_NS, 'null') === 'true') return null;
  if (isCollectionType(type)) {
    const element = elementType(type);
    return el.children.map((child) => xmlValue(child, element));
  }
  if (isPrimitive(type)) {
    if (el.children.length > 0)
      throw mediaErrors.invalidProperty(el.local, 'expected text, found XML elements.');
    return el.text;
  }
  const def = complexDef(type);
  const record = Object.create(null) as JsonObject;
  for (const child of el.children) {
    if (child.ns !== DATA_NS) continue;
    const member = propertyOf(def, child.local);
    if (!member) throw mediaErrors.unknownProperty(def.name, child.local);
    record[child.local] = xmlValue(child, member.type);
  }
  return record;
}
