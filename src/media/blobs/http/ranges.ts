import type { IncomingHttpHeaders } from 'node:http';
import { blobErrors } from '../errors.js';
import { header } from './headers.js';

/** The two forms the service accepts: `bytes=start-` and `bytes=start-end` (no suffix ranges). */
const RANGE = /^bytes=(\d+)-(\d*)$/;

export interface RequestedRange {
  start: number;
  end?: number;
}

/**
 * The range a read asks for. `x-ms-range` wins over `Range`; a malformed `x-ms-range` is an error,
 * while a `Range` this parser does not understand is ignored, as HTTP wants.
 */
export function requestedRange(headers: IncomingHttpHeaders): RequestedRange | undefined {
  const ms = header(headers, 'x-ms-range');
  if (ms !== undefined) {
    const range = parse(ms);
    if (!range) throw blobErrors.invalidHeader('x-ms-range', ms);
    return range;
  }
  const plain = header(headers, 'range');
  return plain === undefined ? undefined : parse(plain);
}

function parse(value: string): RequestedRange | undefined {
  const match = RANGE.exec(value.trim());
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] ? Number(match[2]) : undefined;
  if (!Number.isSafeInteger(start) || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    return undefined;
  }
  return end === undefined ? { start } : { start, end };
}

/** The bytes to send of a blob of `size`: an end past the last byte is clamped; a start past it is 416. */
export function satisfiable(range: RequestedRange, size: number): { start: number; end: number } {
  if (range.start >= size) throw blobErrors.invalidRange(size);
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}
