import { appConfigErrors } from '../errors.js';

/** Every api-version the service has published, previews included. */
export const API_VERSIONS = [
  '1.0',
  '2022-11-01-preview',
  '2023-05-01-preview',
  '2023-10-01',
  '2023-11-01',
  '2024-09-01-preview',
  '2024-09-01',
  '2025-07-01-preview',
  '2026-04-01',
  '2026-05-01-preview',
  '2026-08-01-preview',
] as const;

export type ApiVersion = (typeof API_VERSIONS)[number];

/** Snapshots (and `?snapshot=`, and the operations resource) arrived with this version. */
export const SNAPSHOTS_SINCE: ApiVersion = '2022-11-01-preview';
/** Key-values gained `description` here. */
export const DESCRIPTION_SINCE: ApiVersion = '2026-04-01';

const WELL_FORMED = /^(?:\d+\.\d+|\d{4}-\d{2}-\d{2}(?:-preview)?)$/;

/** Chronological order: `1.0` first; a preview comes before the stable version of its date. */
function rank(version: string): string {
  if (version === '1.0') return '0';
  return version.endsWith('-preview') ? `${version.slice(0, 10)}-0` : `${version}-1`;
}

export const isAtLeast = (version: string, since: string): boolean => rank(version) >= rank(since);

const isKnown = (version: string): version is ApiVersion =>
  (API_VERSIONS as readonly string[]).includes(version);

/** What an error quotes: the request URI as the client sent it. */
export interface RequestTarget {
  headers: { host?: string };
  originalUrl: string;
}

const uriOf = (request: RequestTarget) =>
  `https://${request.headers.host ?? 'localhost'}${request.originalUrl}`;

/**
 * The request's api-version, or the documented 400 for a missing, ambiguous, malformed or
 * unsupported one. `since` is the oldest version that has the operation asked for; the request
 * URI is quoted in the error, as the service does.
 */
export function resolveApiVersion(
  values: readonly string[],
  request: RequestTarget,
  since?: ApiVersion,
): ApiVersion {
  // The common case (one known version, no minimum or a satisfied one) without allocations.
  const only = values.length === 1 ? values[0] : undefined;
  if (only !== undefined && isKnown(only) && (since === undefined || isAtLeast(only, since))) return only;
  const distinct = [...new Set(values.filter((v) => v !== ''))];
  if (distinct.length === 0) throw appConfigErrors.apiVersionMissing();
  if (distinct.length > 1) throw appConfigErrors.apiVersionAmbiguous(distinct);
  const version = distinct[0] ?? '';
  if (!WELL_FORMED.test(version)) throw appConfigErrors.apiVersionInvalid(uriOf(request), version);
  if (!isKnown(version) || (since !== undefined && !isAtLeast(version, since))) {
    throw appConfigErrors.apiVersionUnsupported(uriOf(request), version);
  }
  return version;
}
