import { callApi } from './http.js';
import type { Json } from './json.js';
import { isJson, objects } from './json.js';
import { listEveryPage, sameOriginPath } from './nextLinks.js';

/** OData string literal: a quote is doubled. */
export const odataLiteral = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** A path segment holding an object id (or a UPN, which may hold characters a path cannot). */
export const key = (id: string): string => encodeURIComponent(id);

/** The objects of one page of a Graph collection. */
export const valueOf = (body: unknown): Json[] => (isJson(body) ? objects(body.value) : []);

/** Graph's own next link, as a path on this origin, when there is a next page. */
export const nextLinkOf = (body: unknown): string | undefined =>
  isJson(body) ? sameOriginPath(body['@odata.nextLink']) : undefined;

/**
 * Every object of a Graph collection, following `@odata.nextLink` while it stays on this origin
 * (the tables sort and filter in the browser, so they want the whole list).
 */
export const listGraph = (path: string): Promise<Json[]> => listEveryPage('graph', path, '@odata.nextLink');

/** One Graph object, or the API's error. */
export async function getGraph(path: string): Promise<Json> {
  const { body } = await callApi('graph', path);
  return isJson(body) ? body : {};
}
