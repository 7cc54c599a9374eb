import { pageEtag } from '../etags.js';
import type { KeyValue } from '../model.js';
import { isNotModified, readPreconditions } from './conditions.js';
import type { KeyValueField } from './keyValueJson.js';
import {
  KEY_VALUE_FIELDS,
  KEY_VALUE_SET_CONTENT_TYPE,
  defaultKeyValueFields,
  keyValueJson,
} from './keyValueJson.js';
import type { OperationContext } from './operation.js';
import { PAGE_SIZE } from './paging.js';
import { pageHeaders, sendEmpty, sendPage } from './replies.js';
import { selectedFields } from './select.js';

export const keyValueFields = (context: OperationContext): readonly KeyValueField[] =>
  selectedFields(context.query, KEY_VALUE_FIELDS, defaultKeyValueFields(context.apiVersion));

/**
 * A page of key-values (listing, revisions, snapshot content) from `PAGE_SIZE + 1` rows, with the
 * page's etag: If-None-Match on an unchanged page answers 304.
 */
export function sendKeyValuePage<T extends KeyValue>(
  context: OperationContext,
  rows: readonly T[],
  next: (last: T) => string,
) {
  const fields = keyValueFields(context);
  const more = rows.length > PAGE_SIZE;
  const items = rows.slice(0, PAGE_SIZE);
  const last = items[items.length - 1];
  const page = {
    next: more && last ? next(last) : undefined,
    etag: pageEtag(
      items.map((kv) => kv.etag),
      more,
    ),
  };
  if (isNotModified(readPreconditions(context.request.headers), page.etag)) {
    // SDK 1.13 takes the next page's link from a 304's Link header.
    return sendEmpty(context, 304, pageHeaders(context, page).headers);
  }
  return sendPage(context, {
    ...page,
    contentType: KEY_VALUE_SET_CONTENT_TYPE,
    items: items.map((kv) => keyValueJson(kv, fields)),
  });
}
