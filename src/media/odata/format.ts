/**
 * The three response dialects of the v2 API. The response format follows `Accept`, never the
 * request's Content-Type: the .NET SDK reads Atom, the RestSharp sample verbose JSON, Postman
 * and most REST wrappers minimal JSON.
 */
export type ResponseFormat = 'minimal' | 'verbose' | 'atom';

/** `Accept` → dialect. Anything unnamed (`*\/*`, missing) is minimal JSON, as the service answered. */
export function negotiateFormat(accept: string | undefined): ResponseFormat {
  if (!accept) return 'minimal';
  const lower = accept.toLowerCase();
  if (lower.includes('odata=verbose')) return 'verbose';
  if (lower.includes('application/json')) return 'minimal';
  if (lower.includes('application/atom+xml') || lower.includes('application/xml')) return 'atom';
  return 'minimal';
}

export const CONTENT_TYPES: Readonly<Record<ResponseFormat, string>> = {
  minimal: 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8',
  verbose: 'application/json;odata=verbose;charset=utf-8',
  atom: 'application/atom+xml;type=entry;charset=utf-8',
};

/**
 * The dialect of one request: `$format` (which WCF Data Services let override `Accept`:
 * `json`, `verbose`, `atom`/`xml` or a media type), else `Accept`. Used for the request itself
 * and for each operation of a `$batch`, whose own `Accept` decides its answer.
 */
export function requestFormat(
  accept: string | undefined,
  formatOption: string | null | undefined,
): ResponseFormat {
  const explicit = formatOption?.toLowerCase();
  if (explicit === 'json') return 'minimal';
  if (explicit === 'verbose') return 'verbose';
  if (explicit === 'atom' || explicit === 'xml') return 'atom';
  if (explicit) return negotiateFormat(explicit);
  return negotiateFormat(accept);
}

/**
 * The DataServiceVersion of the response: the highest the client accepts, 3.0 when it does not
 * say (`MaxDataServiceVersion: 1.0;NetFx`, `2.0`, `3.0`).
 */
export function responseDataServiceVersion(max: string | undefined): '1.0' | '2.0' | '3.0' {
  const major = Number.parseFloat(max ?? '3.0');
  if (major >= 3 || Number.isNaN(major)) return '3.0';
  return major >= 2 ? '2.0' : '1.0';
}

/** The DataServiceVersion header of an answer: JSON Light exists only in 3.0. */
export const dataServiceVersionHeader = (format: ResponseFormat, version: '1.0' | '2.0' | '3.0'): string =>
  `${format === 'minimal' ? '3.0' : version};`;
