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
