import { INLINE_PARSE_LIMIT, parseInline, parseJsonBody } from '../../net/jsonBody.js';
import type { JsonBodyResult } from '../../net/jsonBody.js';
import { MAX_JSON_DEPTH } from '../../net/jsonDepth.js';
import { appConfigErrors } from '../errors.js';
import type { Tags } from '../model.js';

/**
 * Large bodies, parsed off the event loop when they were read (see net/jsonBody.ts). The bytes
 * stay the request's body, since HMAC hashes exactly what was sent; their value waits here for the
 * operation that asks for it. Small bodies parse when asked, inline.
 */
const parsedLargeBodies = new WeakMap<Buffer, JsonBodyResult>();

/** Called as the body is read: a body over the inline limit is parsed now, in pieces. */
export async function parseLargeBody(bytes: Buffer): Promise<void> {
  if (bytes.length > INLINE_PARSE_LIMIT) parsedLargeBodies.set(bytes, await parseJsonBody(bytes));
}

/** A request body that must be a JSON object (an empty body reads as `{}`). */
export function jsonObjectBody(body: unknown): Record<string, unknown> {
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  // Nesting is bounded in one scan before JSON.parse builds whatever depth the text asks for.
  const parsed = parsedLargeBodies.get(body) ?? parseInline(body, false);
  if (!parsed.ok && parsed.reason === 'depth') {
    throw appConfigErrors.invalidArgument(
      'body',
      `body: The request body is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  if (!parsed.ok) throw appConfigErrors.invalidArgument('body', 'body: The request body is not valid JSON');
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw appConfigErrors.invalidArgument('body', 'body: The request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function optionalText(body: Record<string, unknown>, name: string): string | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw appConfigErrors.invalidArgument(name, `${name}: A string is expected`);
  return value;
}

/** Tags: an object of strings (or nulls, which the service keeps as null values). */
export function optionalTags(body: Record<string, unknown>, name = 'tags'): Tags {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw appConfigErrors.invalidArgument(name, `${name}: An object of tags is expected`);
  }
  const tags: Tags = {};
  for (const [tag, tagValue] of Object.entries(value)) {
    if (tagValue !== null && typeof tagValue !== 'string') {
      throw appConfigErrors.invalidArgument(`${name}.${tag}`, `${name}.${tag}: A string is expected`);
    }
    tags[tag] = tagValue;
  }
  return tags;
}
