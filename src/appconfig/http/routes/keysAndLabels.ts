import { dataActions } from '../../authorization.js';
import { parseStringFilter } from '../../filters/filterSyntax.js';
import { acceptDatetime } from '../addressing.js';
import type { Operation } from '../operation.js';
import { PAGE_SIZE, decodeAfter, encodeAfter } from '../paging.js';
import { sendPage } from '../replies.js';
import { selectedFields } from '../select.js';

const KEY_SET_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.keyset+json; charset=utf-8';
const LABEL_SET_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.labelset+json; charset=utf-8';

const isString = (v: unknown): v is string => typeof v === 'string';
const isLabel = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** GET /keys?name=…: the distinct keys, in order. */
export const listKeys: Operation = {
  actions: [dataActions.keyValuesRead],
  async run(context) {
    const name = parseStringFilter('name', context.query.one('name'), { nullable: false });
    const after = decodeAfter(context.query.one('after'), isString);
    const asOf = acceptDatetime(context.request.headers, context.reply);
    const keys = await context.data.keyValues.keys(context.store.nameLower, name, {
      asOf,
      after,
      limit: PAGE_SIZE + 1,
    });
    const items = keys.slice(0, PAGE_SIZE);
    const last = items[items.length - 1];
    return sendPage(context, {
      contentType: KEY_SET_CONTENT_TYPE,
      items: items.map((key) => ({ name: key })),
      next: keys.length > PAGE_SIZE && last !== undefined ? encodeAfter(last) : undefined,
    });
  },
};

/** GET /labels?name=…: the distinct labels, in order, the null label (`"name": null`) first. */
export const listLabels: Operation = {
  actions: [dataActions.keyValuesRead],
  async run(context) {
    const name = parseStringFilter('name', context.query.one('name'), { nullable: true });
    // Labels have one field: `$select` is only checked.
    selectedFields(context.query, ['name'] as const, ['name'] as const);
    const after = decodeAfter(context.query.one('after'), isLabel);
    const asOf = acceptDatetime(context.request.headers, context.reply);
    const labels = await context.data.keyValues.labels(context.store.nameLower, name, {
      asOf,
      after,
      limit: PAGE_SIZE + 1,
    });
    const items = labels.slice(0, PAGE_SIZE);
    const more = labels.length > PAGE_SIZE && items.length > 0;
    return sendPage(context, {
      contentType: LABEL_SET_CONTENT_TYPE,
      items: items.map((label) => ({ name: label })),
      next: more ? encodeAfter(items[items.length - 1] ?? null) : undefined,
    });
  },
};
