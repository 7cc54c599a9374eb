import type { IncomingHttpHeaders } from 'node:http';
import type { BlobProperties } from '../blobStore.js';
import { blobErrors } from '../errors.js';
import { header } from './headers.js';

/**
 * HTTP conditional headers on a blob, evaluated against its current properties before the operation
 * runs (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since). A read whose condition
 * fails is 304 (Not Modified) or 412; a write is 412, or 409 BlobAlreadyExists for
 * `If-None-Match: *` on an existing blob, as the service answers.
 */
export type ConditionOutcome = 'proceed' | 'notModified';

const etags = (value: string): string[] => value.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
const matches = (list: string, etag: string): boolean =>
  etags(list).some((tag) => tag === '*' || tag === etag || `"${tag}"` === etag);

/** HTTP dates have whole seconds; an unparsable one is ignored, as HTTP wants. */
function date(headers: IncomingHttpHeaders, name: string): number | undefined {
  const value = header(headers, name);
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

export function evaluateConditions(
  headers: IncomingHttpHeaders,
  current: BlobProperties | undefined,
  kind: 'read' | 'write',
): ConditionOutcome {
  const ifMatch = header(headers, 'if-match');
  const ifNoneMatch = header(headers, 'if-none-match');
  const modified = current ? Math.floor(current.lastModified / 1000) : undefined;

  if (ifMatch !== undefined && (!current || !matches(ifMatch, current.etag)))
    throw blobErrors.conditionNotMet();
  if (ifMatch === undefined && current && modified !== undefined) {
    const since = date(headers, 'if-unmodified-since');
    if (since !== undefined && modified > since) throw blobErrors.conditionNotMet();
  }
  if (ifNoneMatch !== undefined && current && matches(ifNoneMatch, current.etag)) {
    if (kind === 'read') return 'notModified';
    if (ifNoneMatch.trim() === '*') throw blobErrors.blobAlreadyExists();
    throw blobErrors.conditionNotMet();
  }
  if (ifNoneMatch === undefined && current && modified !== undefined) {
    const since = date(headers, 'if-modified-since');
    if (since !== undefined && modified <= since) {
      if (kind === 'read') return 'notModified';
      throw blobErrors.conditionNotMet();
    }
  }
  return 'proceed';
}
