import type { IncomingHttpHeaders } from 'node:http';
import { appConfigErrors } from '../errors.js';

/** If-Match / If-None-Match: `*` or entity tags, quoted or not (the body's etag is unquoted). */
export interface Preconditions {
  ifMatch?: string[];
  ifNoneMatch?: string[];
}

function tags(header: string | string[] | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(',') : header;
  return text
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .map((t) => (t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t))
    .filter((t) => t !== '');
}

export function readPreconditions(headers: IncomingHttpHeaders): Preconditions {
  return { ifMatch: tags(headers['if-match']), ifNoneMatch: tags(headers['if-none-match']) };
}

const matches = (list: readonly string[], etag: string | undefined): boolean =>
  etag !== undefined && (list.includes('*') || list.includes(etag));

/** A write goes ahead only if its preconditions hold for the current etag (none: no item). */
export function checkWrite(preconditions: Preconditions, etag: string | undefined): void {
  const { ifMatch, ifNoneMatch } = preconditions;
  if (ifMatch && !matches(ifMatch, etag)) throw appConfigErrors.preconditionFailed();
  if (ifNoneMatch && matches(ifNoneMatch, etag)) throw appConfigErrors.preconditionFailed();
}

/** A read: 412 when If-Match fails; `true` when If-None-Match matches (answer 304). */
export function isNotModified(preconditions: Preconditions, etag: string | undefined): boolean {
  const { ifMatch, ifNoneMatch } = preconditions;
  if (ifMatch && !matches(ifMatch, etag)) throw appConfigErrors.preconditionFailed();
  return ifNoneMatch !== undefined && matches(ifNoneMatch, etag);
}
