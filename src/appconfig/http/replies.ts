import type { FastifyReply } from 'fastify';
import type { KeyValue } from '../model.js';
import type { KeyValueField } from './keyValueJson.js';
import { KEY_VALUE_CONTENT_TYPE, keyValueText } from './keyValueJson.js';
import type { OperationContext } from './operation.js';
import { linkHeader, nextLink } from './paging.js';
import { syncToken } from './syncToken.js';
import { httpDate } from './wireTime.js';

export const quoted = (etag: string): string => `"${etag}"`;

/** A write moved the store's counter: its response reports the new one (reads keep the hook's). */
function refreshSyncToken(context: OperationContext): FastifyReply {
  const method = context.request.method;
  if (method === 'GET' || method === 'HEAD') return context.reply;
  const sequence = context.data.keyValues.sequences.afterWrite(context.store.nameLower, context.stamp);
  if (sequence !== undefined) context.reply.header('sync-token', syncToken(context.store, sequence));
  return context.reply;
}

export function sendJson(
  context: OperationContext,
  status: number,
  contentType: string,
  body: unknown,
  headers: Record<string, string> = {},
): FastifyReply {
  return refreshSyncToken(context)
    .status(status)
    .headers(headers)
    .header('content-type', contentType)
    .send(JSON.stringify(body));
}

export function sendEmpty(
  context: OperationContext,
  status: number,
  headers: Readonly<Record<string, string>> = {},
): FastifyReply {
  return refreshSyncToken(context).status(status).headers(headers).send();
}

const headersOf = new WeakMap<KeyValue, Readonly<Record<string, string>>>();

/** ETag and Last-Modified of a key-value (kept with it: formatting dates is not free). */
export function keyValueHeaders(kv: KeyValue): Readonly<Record<string, string>> {
  let headers = headersOf.get(kv);
  if (!headers) {
    headers = { etag: quoted(kv.etag), 'last-modified': httpDate(kv.lastModified) };
    headersOf.set(kv, headers);
  }
  return headers;
}

export function sendKeyValue(
  context: OperationContext,
  kv: KeyValue,
  fields: readonly KeyValueField[],
): FastifyReply {
  return refreshSyncToken(context)
    .status(200)
    .headers(keyValueHeaders(kv))
    .header('content-type', KEY_VALUE_CONTENT_TYPE)
    .send(keyValueText(kv, fields));
}

export interface Page {
  contentType: string;
  items: unknown[];
  /** The `after` token of the next page, when there is one. */
  next?: string;
  /** The page's entity tag (key-value and revision pages). */
  etag?: string;
}

/** A list page: items, `@nextLink` and the same link in a Link header (which 304 and HEAD keep). */
export function pageHeaders(context: OperationContext, page: Omit<Page, 'items' | 'contentType'>) {
  const link = page.next === undefined ? undefined : nextLink(context.resourcePath, context.query, page.next);
  const headers: Record<string, string> = {};
  if (link !== undefined) headers.link = linkHeader(link);
  if (page.etag !== undefined) headers.etag = quoted(page.etag);
  return { link, headers };
}

export function sendPage(context: OperationContext, page: Page): FastifyReply {
  const { link, headers } = pageHeaders(context, page);
  const body: Record<string, unknown> = { items: page.items };
  if (page.etag !== undefined) body.etag = page.etag;
  if (link !== undefined) body['@nextLink'] = link;
  return sendJson(context, 200, page.contentType, body, headers);
}
