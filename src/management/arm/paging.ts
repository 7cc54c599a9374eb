import { ArmError } from './errors.js';
import type { ArmRequest } from './context.js';

export const PAGE_SIZE = 100;

export interface ArmPage<T> {
  value: T[];
  nextLink?: string;
}

const invalidSkipToken = () =>
  new ArmError(400, 'InvalidSkipToken', 'The $skipToken query parameter is not valid.');

function offsetOf(request: ArmRequest): number {
  const raw = request.query['$skipToken'];
  const token = Array.isArray(raw) ? raw[0] : raw;
  if (token === undefined) return 0;
  if (typeof token !== 'string') throw invalidSkipToken();
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalidSkipToken();
  return offset;
}

/**
 * One page of an ordered list: `value`, and a `nextLink` (the same request with `$skipToken`)
 * while more remain. The token is an opaque offset; lists are ordered stably by the caller.
 */
export function page<T>(items: readonly T[], request: ArmRequest, pageSize = PAGE_SIZE): ArmPage<T> {
  const offset = offsetOf(request);
  const value = items.slice(offset, offset + pageSize);
  if (offset + pageSize >= items.length) return { value };
  const params = new URLSearchParams();
  for (const [name, raw] of Object.entries(request.query)) {
    if (name === '$skipToken') continue;
    for (const v of Array.isArray(raw) ? raw : [raw]) if (typeof v === 'string') params.append(name, v);
  }
  params.set('$skipToken', Buffer.from(String(offset + pageSize)).toString('base64url'));
  return { value, nextLink: `${request.origin}${request.path}?${params.toString().replace(/\+/g, '%20')}` };
}
