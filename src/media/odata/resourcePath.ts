import { mediaErrors } from '../errors.js';
import type { EdmTypeName, EntityTypeDef } from './edm.js';
import { isPrimitive } from './edm.js';
import type { Literal } from './literals.js';
import { isGuid, LiteralError, parseLiteral } from './literals.js';

/**
 * Request paths under the API root (`/media/<account>/api/`), in every spelling the service's
 * clients sent: keys quoted plainly or percent-encoded (`Assets('nb%3Acid%3AUUID%3A…')`,
 * `Assets(%27…%27)`, even encoded twice), the whole remainder encoded with its slashes
 * (`Locators%28%27nb%3Alid…%27%29`; see `apiRemainder` for an encoded `api%2F`), `Assets()` for
 * the set, `Assets(Id='…')`, `''` inside a key, and empty segments (`//CreateFileInfos`). Keys
 * follow the type's key property (`keyDefOf`): `StorageAccounts('name')`,
 * `EncodingReservedUnitTypes(guid'…')`.
 *
 * Names of sets, functions, navigation properties, properties and actions match case-sensitively,
 * as WCF Data Services matched them: `assets` is a 404. The path is decoded once as a whole and
 * then split on the slashes outside quoted keys, so a key may hold any character.
 */

export type ResourcePath =
  | { kind: 'serviceDocument' }
  | { kind: 'metadata' }
  | { kind: 'batch' }
  /** A service operation addressed at the root: `CreateFileInfos`, `CancelJob`, … */
  | { kind: 'function'; name: string }
  /** `Assets`, `Assets()` */
  | { kind: 'collection'; set: string }
  /** `Assets/$count`, or `Assets('…')/Files/$count` (then `key` and `navigation` are set). */
  | { kind: 'count'; set: string; key?: string; navigation?: string }
  /** `Assets('nb:cid:UUID:…')`, the key fully decoded (a Guid key lower-case). */
  | { kind: 'entity'; set: string; key: string }
  /** `Assets('…')/Files`, or one of them: `Assets('…')/Files('…')` (`targetKey`). */
  | { kind: 'navigation'; set: string; key: string; navigation: string; targetKey?: string }
  /** `Jobs('…')/State` (value false) or `Jobs('…')/State/$value` (value true, primitives only). */
  | { kind: 'property'; set: string; key: string; property: string; value: boolean }
  /** `Assets('…')/$links/ContentKeys` or `Assets('…')/$links/ContentKeys('…')`. */
  | { kind: 'links'; set: string; key: string; navigation: string; targetKey?: string }
  /** A bound action: `Channels('…')/Start`, `ContentKeys('…')/GetKeyDeliveryUrl`. */
  | { kind: 'action'; set: string; key: string; action: string };

export interface PathModel {
  /** Entity types by entity set name (`Assets` → Asset). */
  sets: ReadonlyMap<string, EntityTypeDef>;
  /** Service operations at the root. */
  functions: ReadonlySet<string>;
  /** Bound actions by entity set: `Channels` → Start, Stop, Reset, … */
  actions: ReadonlyMap<string, ReadonlySet<string>>;
}

export const MAX_PATH_LENGTH = 2048;
export const MAX_PATH_SEGMENTS = 8;

/**
 * The raw remainder after `api/` when the raw path after the account (`api/Assets`,
 * `api%2FLocators%28…`, `API/`, `api`) starts with the API segment; undefined otherwise. For
 * routers that cannot match the literal `/api/` because a client encoded its slash.
 */
export function apiRemainder(rawAfterAccount: string): string | undefined {
  const match = /^api(?:$|\/|%2f)/i.exec(rawAfterAccount);
  return match ? rawAfterAccount.slice(match[0].length) : undefined;
}

/** Decodes `%xx` once; a malformed escape is a 400. */
export function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw mediaErrors.badRequest('The request path is not correctly percent-encoded.');
  }
}

/** Splits a decoded path on '/' outside quotes, dropping empty segments (`//`, a trailing `/`). */
export function splitSegments(path: string): string[] {
  const segments: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "'") quoted = !quoted;
    else if (c === '/' && !quoted) {
      if (i > start) segments.push(path.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw mediaErrors.invalidKey(path.slice(start));
  if (path.length > start) segments.push(path.slice(start));
  return segments;
}

const NAMED_KEY = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/s;
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;

/** The name part of a segment: what comes before its parentheses. */
const segmentName = (segment: string): string => {
  const open = segment.indexOf('(');
  return open < 0 ? segment : segment.slice(0, open);
};

/** The key property of an entity type and its EDM type. */
export interface KeyDef {
  name: string;
  type: EdmTypeName;
}

const ID_KEY: KeyDef = { name: 'Id', type: 'Edm.String' };

/** `Id` (Edm.String) unless the type names another key (StorageAccounts: `Name`; EncodingReservedUnitTypes: `AccountId`, a Guid). */
export function keyDefOf(type: EntityTypeDef | undefined): KeyDef {
  if (!type) return ID_KEY;
  const name = type.key ?? 'Id';
  return { name, type: type.properties.find((p) => p.name === name)?.type ?? 'Edm.String' };
}

/**
 * One path segment: a name and, when it has parentheses with something in them, the key: a
 * single literal, bare or named after the key property (`Assets(Id='…')`). A string key is a
 * string literal; a Guid key is `guid'…'` or a quoted Guid, and comes back lower-case. The keys
 * of this API never hold a '%', so a string key that still has `%xx` escapes after the path was
 * decoded was encoded twice and is decoded again. `hasParentheses` tells `Assets()` from `Assets`.
 */
export function parseSegment(
  segment: string,
  keyDef: KeyDef = ID_KEY,
): { name: string; key?: string; hasParentheses: boolean } {
  const open = segment.indexOf('(');
  if (open < 0) return { name: segment, hasParentheses: false };
  const name = segment.slice(0, open);
  if (!segment.endsWith(')')) throw mediaErrors.invalidKey(segment);
  const inside = segment.slice(open + 1, -1);
  if (inside.trim() === '') return { name, hasParentheses: true };
  let literalText = inside;
  const named = NAMED_KEY.exec(inside);
  if (named) {
    if (named[1] !== keyDef.name) throw mediaErrors.invalidKey(segment);
    literalText = named[2] ?? '';
  }
  let literal: Literal;
  try {
    literal = parseLiteral(literalText.trim());
  } catch (error) {
    if (error instanceof LiteralError) throw mediaErrors.invalidKey(segment);
    throw error;
  }
  if (keyDef.type === 'Edm.Guid') {
    if (literal.type === 'Edm.Guid') return { name, key: literal.value, hasParentheses: true };
    if (literal.type === 'Edm.String' && isGuid(literal.value)) {
      return { name, key: literal.value.toLowerCase(), hasParentheses: true };
    }
    throw mediaErrors.invalidKey(segment);
  }
  if (literal.type !== 'Edm.String') throw mediaErrors.invalidKey(segment);
  let key = literal.value;
  if (PERCENT_ESCAPE.test(key)) {
    try {
      key = decodeURIComponent(key);
    } catch {
      throw mediaErrors.invalidKey(segment);
    }
  }
  return { name, key, hasParentheses: true };
}

/**
 * Reads the raw (still percent-encoded) path after `/api/`; a query string, if left on, is
 * ignored. Over 2048 characters → 400; malformed escapes or keys → 400 (`invalidKey`); more than
 * 8 segments or anything the model does not name → 404.
 */
export function parseResourcePath(raw: string, model: PathModel): ResourcePath {
  if (raw.length > MAX_PATH_LENGTH) {
    throw mediaErrors.badRequest(`The request path is longer than ${MAX_PATH_LENGTH} characters.`);
  }
  const query = raw.indexOf('?');
  const segments = splitSegments(decodePath(query < 0 ? raw : raw.slice(0, query)));
  if (segments.length > MAX_PATH_SEGMENTS) throw mediaErrors.notFound();
  const [first, ...rest] = segments;
  if (first === undefined) return { kind: 'serviceDocument' };
  if (first === '$metadata' || first === '$batch') {
    if (rest.length > 0) throw mediaErrors.notFound();
    return { kind: first === '$metadata' ? 'metadata' : 'batch' };
  }

  // Names first, so an unknown name is a 404 even when what follows it is malformed.
  const headName = segmentName(first);
  const type = model.sets.get(headName);
  if (!type) {
    if (!model.functions.has(headName) || rest.length > 0) throw mediaErrors.notFound();
    if (parseSegment(first).key !== undefined) throw mediaErrors.notFound();
    return { kind: 'function', name: headName };
  }
  const head = parseSegment(first, keyDefOf(type));
  const set = headName;
  if (head.key === undefined) {
    if (rest.length === 0) return { kind: 'collection', set };
    if (rest.length === 1 && rest[0] === '$count') return { kind: 'count', set };
    throw mediaErrors.notFound();
  }
  const key = head.key;
  const [second, ...more] = rest;
  if (second === undefined) return { kind: 'entity', set, key };

  if (second === '$links') {
    const [target, ...beyond] = more;
    if (target === undefined || beyond.length > 0) throw mediaErrors.notFound();
    const navigation = type.navigation.find((nav) => nav.name === segmentName(target));
    if (!navigation) throw mediaErrors.notFound();
    const link = parseSegment(target, keyDefOf(model.sets.get(navigation.target)));
    if (link.key === undefined) return { kind: 'links', set, key, navigation: navigation.name };
    if (!navigation.many) {
      throw mediaErrors.badRequest(
        `The single-valued navigation property '${navigation.name}' takes no key.`,
      );
    }
    return { kind: 'links', set, key, navigation: navigation.name, targetKey: link.key };
  }

  const memberName = segmentName(second);
  const known =
    type.navigation.some((nav) => nav.name === memberName) ||
    type.properties.some((p) => p.name === memberName) ||
    model.actions.get(set)?.has(memberName);
  if (!known) throw mediaErrors.notFound();
  const navigation = type.navigation.find((nav) => nav.name === memberName);
  const member = parseSegment(second, keyDefOf(navigation && model.sets.get(navigation.target)));
  if (navigation) {
    if (member.key !== undefined) {
      if (!navigation.many) {
        throw mediaErrors.badRequest(
          `The single-valued navigation property '${navigation.name}' takes no key.`,
        );
      }
      if (more.length > 0) throw mediaErrors.notFound();
      return { kind: 'navigation', set, key, navigation: navigation.name, targetKey: member.key };
    }
    if (more.length === 0) return { kind: 'navigation', set, key, navigation: navigation.name };
    if (more.length === 1 && more[0] === '$count' && navigation.many) {
      return { kind: 'count', set, key, navigation: navigation.name };
    }
    throw mediaErrors.notFound();
  }
  const property = type.properties.find((p) => p.name === member.name);
  if (property) {
    if (member.hasParentheses) throw mediaErrors.notFound();
    if (more.length === 0) return { kind: 'property', set, key, property: property.name, value: false };
    if (more.length === 1 && more[0] === '$value' && isPrimitive(property.type)) {
      return { kind: 'property', set, key, property: property.name, value: true };
    }
    throw mediaErrors.notFound();
  }
  if (model.actions.get(set)?.has(member.name) && member.key === undefined && more.length === 0) {
    return { kind: 'action', set, key, action: member.name };
  }
  throw mediaErrors.notFound();
}
