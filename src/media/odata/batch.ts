import { mediaErrors } from '../errors.js';
import { contentIdReference } from './batchParser.js';

/**
 * OData v3 `$batch` for the v2 API: the one module the route imports. Reading the request lives
 * in batchParser.ts, writing the answer in batchResponse.ts; what joins them is the Content-ID:
 * a change-set request may address the entity an earlier one created as `$<Content-ID>/…`.
 */

export { parseBatch } from './batchParser.js';
export type { BatchItem, BatchLimits, BatchRequestPart } from './batchParser.js';
export { serializeBatch } from './batchResponse.js';
export type { BatchResponsePart, BatchResult } from './batchResponse.js';

/**
 * `$1/Tasks` → `<Location of the request with Content-ID 1>/Tasks`; an URL that starts with no
 * reference comes back unchanged. `locations` maps each Content-ID of the change set so far to
 * the Location its response carried; a reference to any other is a 400.
 */
export function resolveContentIdReference(url: string, locations: ReadonlyMap<string, string>): string {
  const id = contentIdReference(url);
  if (id === undefined) return url;
  const location = locations.get(id);
  if (location === undefined) {
    throw mediaErrors.badRequest(
      `The reference '$${id}' names no earlier request of this change set that created an entity.`,
    );
  }
  const rest = url.slice(id.length + 1);
  return location.endsWith('/') && rest.startsWith('/') ? location + rest.slice(1) : location + rest;
}
