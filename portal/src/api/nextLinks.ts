import type { Resource } from '../auth/config.js';
import { callApi } from './http.js';
import type { Json } from './json.js';
import { isJson, objects, text } from './json.js';

/**
 * A next link as a path on this origin, or undefined when there is none or it names another
 * host: the person's token is for this origin's APIs only.
 */
export function sameOriginPath(link: unknown): string | undefined {
  const href = text(link);
  if (!href) return undefined;
  const url = new URL(href, location.origin);
  return url.origin === location.origin ? url.pathname + url.search : undefined;
}

/** Pages a list could run to before the portal stops asking: 100 pages is a big directory. */
const MAX_PAGES = 100;

/**
 * Every item of an ARM or Graph list, following its next link (ARM's `nextLink`, Graph's
 * `@odata.nextLink`): the screens sort and filter in the browser, so they need every item.
 */
export async function listEveryPage(
  resource: Resource,
  path: string,
  linkField: 'nextLink' | '@odata.nextLink',
): Promise<Json[]> {
  const items: Json[] = [];
  let next: string | undefined = path;
  for (let pages = 0; next !== undefined && pages < MAX_PAGES; pages++) {
    const { body } = await callApi(resource, next);
    if (!isJson(body)) break;
    items.push(...objects(body.value));
    next = sameOriginPath(body[linkField]);
  }
  return items;
}
