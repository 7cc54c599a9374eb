import { duplicateParameter, severalSelectors } from '../errors.js';
import type { IdentitySelector, Protocol } from '../tokens/identityTokens.js';

/** One query parameter's value; a parameter given twice is refused. */
export type QueryReader = (name: string) => string | undefined;

export function searchParamsReader(params: URLSearchParams): QueryReader {
  return (name) => {
    const values = params.getAll(name);
    if (values.length > 1) throw duplicateParameter(name);
    return values[0];
  };
}

/** Fastify's parsed query: repeated parameters arrive as arrays. */
export function parsedQueryReader(query: unknown): QueryReader {
  const record = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  return (name) => {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (Array.isArray(value)) throw duplicateParameter(name);
    return typeof value === 'string' ? value : undefined;
  };
}

/**
 * The user-assigned identity a request names. App Service 2019-08-01 says `client_id`,
 * `principal_id` (msal-node sends `object_id`) or `mi_res_id`; IMDS `client_id`, `object_id`
 * or `msi_res_id`. Each endpoint accepts its sibling's spelling as well.
 */
export function selectorFrom(read: QueryReader, protocol: Protocol): IdentitySelector {
  const objectIds = [read('object_id'), read('principal_id')].filter((v) => v !== undefined);
  const resourceIds = (protocol === 'imds' ? ['msi_res_id', 'mi_res_id'] : ['mi_res_id', 'msi_res_id'])
    .map(read)
    .filter((v) => v !== undefined);
  const selector: IdentitySelector = {};
  const clientId = read('client_id');
  if (clientId !== undefined) selector.clientId = clientId;
  // Two spellings of one selector are two selectors: the caller must pick one.
  if (objectIds.length > 1 || resourceIds.length > 1) throw severalSelectors();
  if (objectIds[0] !== undefined) selector.objectId = objectIds[0];
  if (resourceIds[0] !== undefined) selector.resourceId = resourceIds[0];
  return selector;
}
