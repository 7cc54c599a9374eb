import { appConfigErrors } from '../errors.js';
import type { QueryParameters } from './query.js';

/** Items per page, as the service and Microsoft's emulator. */
export const PAGE_SIZE = 100;

/**
 * `after` tokens: base64url of JSON, so they survive the SDKs' double URL-decoding of next links
 * (no `%` or `+` in them).
 */
export const encodeAfter = (position: unknown): string =>
  Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

export function decodeAfter<T>(
  token: string | undefined,
  isValid: (value: unknown) => value is T,
): T | undefined {
  if (token === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!isValid(value)) throw appConfigErrors.invalidArgument('after', 'after: Invalid continuation token');
  return value;
}

/**
 * The next page's link, relative to the store's endpoint as the service writes it: the same query
 * (api-version and filters included) with the new `after`.
 */
export function nextLink(resourcePath: string, query: QueryParameters, token: string): string {
  const rest = query.rawWithout('after');
  return `${resourcePath}?${rest === '' ? '' : `${rest}&`}after=${token}`;
}

export const linkHeader = (link: string): string => `<${link}>; rel="next"`;
