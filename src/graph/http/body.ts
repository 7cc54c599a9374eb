import { INLINE_PARSE_LIMIT, parseInline, parseJsonBody } from '../../net/jsonBody.js';
import type { JsonBodyResult } from '../../net/jsonBody.js';
import { graphErrors } from '../errors.js';
import type { Json } from '../odata/evaluate.js';

/** Graph's own limit on request bodies, for operations that declare none smaller. */
export const BODY_LIMIT = 4 * 1024 * 1024;

/**
 * Large bodies, parsed off the event loop when they were read (see net/jsonBody.ts); their value
 * waits here for the operation that asks for it. Small bodies parse when asked, inline, as an
 * operation that never reads its body should not pay for parsing it.
 */
const parsedLargeBodies = new WeakMap<Buffer, JsonBodyResult>();

/** Called as the body is read: a body over the inline limit is parsed now, in pieces. */
export async function parseLargeBody(bytes: Buffer): Promise<void> {
  if (bytes.length > INLINE_PARSE_LIMIT) parsedLargeBodies.set(bytes, await parseJsonBody(bytes));
}

/** The request body as a JSON object, or Graph's 400 for anything else (none, not JSON, too deep, not an object). */
export function jsonObjectOf(body: unknown): Json {
  if (!Buffer.isBuffer(body) || body.length === 0) throw graphErrors.unreadableBody();
  // Nesting is bounded in one scan before JSON.parse builds whatever depth the text asks for.
  const parsed = parsedLargeBodies.get(body) ?? parseInline(body, false);
  if (!parsed.ok) throw graphErrors.unreadableBody();
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw graphErrors.unreadableBody();
  return value as Json;
}

/**
 * How a writable property of a payload is read. `readOnly`: Graph's property, never set by a client;
 * `unkept`: Graph's property that Tessera does not keep — refused with a clear 400 rather than
 * silently dropped, unless it carries only its empty value (what clients send by default).
 */
export type FieldRule =
  | 'string'
  | 'nullableString'
  | 'boolean'
  | 'nullableBoolean'
  | 'nullableInt'
  | 'stringList'
  | 'objectList'
  | 'object'
  | 'readOnly'
  | 'unkept';

export interface PayloadType {
  /** As Graph names it in errors: `User`, `Application`. */
  resource: string;
  /** The OData type, for unknown properties: `microsoft.graph.user`. */
  odataType: string;
  fields: Readonly<Record<string, FieldRule>>;
}

const isRecord = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A value that asks for nothing: what clients send for properties they leave at their defaults. */
const isEmpty = (value: unknown): boolean =>
  value === null ||
  value === false ||
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (isRecord(value) && Object.values(value).every(isEmpty));

function fits(rule: FieldRule, value: unknown): boolean {
  switch (rule) {
    case 'string':
      return typeof value === 'string';
    case 'nullableString':
      return value === null || typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'nullableBoolean':
      return value === null || typeof value === 'boolean';
    case 'nullableInt':
      return value === null || Number.isInteger(value);
    case 'stringList':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'objectList':
      return Array.isArray(value) && value.every(isRecord);
    case 'object':
      return isRecord(value);
    default:
      return true;
  }
}

/**
 * Checks a payload against the writable properties of its type and returns them: unknown
 * properties, read-only ones and values of the wrong type are refused with Graph's texts.
 * OData annotations (`@odata.type`) are accepted and dropped.
 */
export function readPayload(body: Json, type: PayloadType): Json {
  const out: Json = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@odata.')) continue;
    const rule = type.fields[name];
    if (rule === undefined) throw graphErrors.unknownProperty(name, type.odataType);
    if (rule === 'readOnly') throw graphErrors.readOnly(name, type.resource);
    if (rule === 'unkept') {
      if (isEmpty(value)) continue;
      throw graphErrors.badRequest(
        `Property '${name}' of resource '${type.resource}' is not supported by Tessera; leave it out of the request.`,
      );
    }
    if (!fits(rule, value)) throw graphErrors.invalidValue(name, type.resource);
    out[name] = value;
  }
  return out;
}

/** A nested object (`passwordProfile`, `web`, `api`), checked the same way against its own type. */
export function readNested(
  value: unknown,
  property: string,
  parent: PayloadType,
  nested: Omit<PayloadType, 'resource'>,
): Json {
  if (!isRecord(value)) throw graphErrors.invalidValue(property, parent.resource);
  return readPayload(value, { ...nested, resource: parent.resource });
}
