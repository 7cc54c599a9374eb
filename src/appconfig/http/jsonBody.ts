import { MAX_JSON_DEPTH, exceedsJsonDepth } from '../../net/jsonDepth.js';
import { appConfigErrors } from '../errors.js';
import type { Tags } from '../model.js';

/** A request body that must be a JSON object (an empty body reads as `{}`). */
export function jsonObjectBody(body: unknown): Record<string, unknown> {
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  const text = body.toString('utf8');
  // Bounded in one scan before JSON.parse builds whatever depth the text asks for.
  if (exceedsJsonDepth(text, MAX_JSON_DEPTH)) {
    throw appConfigErrors.invalidArgument(
      'body',
      `body: The request body is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw appConfigErrors.invalidArgument('body', 'body: The request body is not valid JSON');
  }
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
