import type { ResponseFormat } from './format.js';
import { entityTypes } from './model.js';
import { escapeXml } from './serialize/values.js';

/**
 * `GET /api/`: the entity sets, in the order the service listed them. Minimal JSON is what the
 * service answered a client that named no format; the .NET SDK reads nothing from this document
 * but the status (it only checks the endpoint answers).
 */

const setNames: readonly string[] = entityTypes.map((t) => t.set);

export function serviceDocument(format: ResponseFormat, apiRoot: string): string {
  if (format === 'verbose') return JSON.stringify({ d: { EntitySets: setNames } });
  if (format === 'minimal') {
    return JSON.stringify({
      'odata.metadata': `${apiRoot}$metadata`,
      value: setNames.map((name) => ({ name, url: name })),
    });
  }
  const collections = setNames.map(
    (name) => `<collection href="${name}"><atom:title>${name}</atom:title></collection>`,
  );
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<service xml:base="${escapeXml(apiRoot)}" xmlns="http://www.w3.org/2007/app" xmlns:atom="http://www.w3.org/2005/Atom">` +
    `<workspace><atom:title>Default</atom:title>${collections.join('')}</workspace></service>`
  );
}

/** Atom's service document has its own media type; the JSON forms share the dialects' own. */
export const SERVICE_DOCUMENT_ATOM_CONTENT_TYPE = 'application/atomsvc+xml;charset=utf-8';
