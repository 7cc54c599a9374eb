import { parseJsonBody } from '../../net/jsonBody.js';
import { MAX_JSON_DEPTH } from '../../net/jsonDepth.js';
import { armErrors } from './errors.js';

/** Typed reads of a JSON request body, failing with ARM's 400s instead of trusting the shape. */
export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function objectBody(body: unknown): JsonObject {
  if (!isObject(body)) throw armErrors.invalidRequestContent('The request body must be a JSON object.');
  return body;
}

export function optionalObject(parent: JsonObject, key: string, path = key): JsonObject | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value))
    throw armErrors.invalidRequestContent(`The value of '${path}' must be a JSON object.`);
  return value;
}

export function optionalString(parent: JsonObject, key: string, path = key): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw armErrors.invalidRequestContent(`The value of '${path}' must be a string.`);
  return value;
}

export function optionalBoolean(parent: JsonObject, key: string, path = key): boolean | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw armErrors.invalidRequestContent(`The value of '${path}' must be a boolean.`);
  return value;
}

export function optionalInteger(parent: JsonObject, key: string, path = key): number | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw armErrors.invalidRequestContent(`The value of '${path}' must be an integer.`);
  }
  return value;
}

export function optionalStringArray(parent: JsonObject, key: string, path = key): string[] | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw armErrors.invalidRequestContent(`The value of '${path}' must be an array of strings.`);
  }
  return value as string[];
}

/** ARM tags: at most 50, names up to 512 characters, values up to 256. */
export function optionalTags(parent: JsonObject, key = 'tags'): Record<string, string> | undefined {
  const tags = optionalObject(parent, key);
  if (!tags) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > 50) throw armErrors.invalidRequestFormat('A resource can have at most 50 tags.');
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || name.length > 512 || value.length > 256) {
      throw armErrors.invalidRequestContent(
        `The tag '${name.slice(0, 64)}' must have a string value of at most 256 characters.`,
      );
    }
  }
  return tags as Record<string, string>;
}

/**
 * A JSON request body's value, with every `__proto__` key dropped so no body can reach a
 * prototype; undefined for a blank body. Nesting is bounded before parsing (the reviver would
 * otherwise walk any depth), and a large body is checked and cut in a worker thread, then parsed
 * here a piece at a time (net/jsonBody.ts), so one body never holds the event loop for long.
 */
export async function armJsonBody(bytes: Buffer): Promise<unknown> {
  if (isBlank(bytes)) return undefined;
  const parsed = await parseJsonBody(bytes, { dropProtoKeys: true });
  if (parsed.ok) return parsed.value;
  if (parsed.reason === 'depth') {
    throw armErrors.invalidRequestContent(
      `The JSON nesting depth of the request body exceeds the maximum of ${MAX_JSON_DEPTH}.`,
    );
  }
  throw armErrors.invalidRequestContent('The request body is not valid JSON.');
}

/** Only whitespace (or nothing): what bodiless requests send, whatever their content type. */
export function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  }
  return true;
}
