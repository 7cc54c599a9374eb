import { mediaErrors } from '../errors.js';
import type { EntityTypeDef } from './edm.js';
import { decodePath, keyDefOf, parseSegment, splitSegments } from './resourcePath.js';

/**
 * The entity a bind URL names: `InputMediaAssets@odata.bind` items, verbose `__metadata.uri`,
 * `$links` bodies (`{"uri": "…"}`). Clients send absolute URLs on any host (the legacy cluster,
 * another account's endpoint, ours), relative ones (`Assets('…')`, `/api/Assets('…')`), and keys
 * encoded any way the request path accepts. Only the last segment counts, `<Set>(<key>)`; the
 * segments before it must be plain path segments (`api`, a mount point), not other entities.
 * The set is matched case-sensitively, then case-insensitively (`assets` → `Assets`), since a
 * URL built by a client is a weaker promise than a request path.
 */

/**
 * The entity sets: a Map of set → type (then keys follow each type's key property, as
 * `keyDefOf` reads it), or a Set of names (then every key is an `Id` string).
 */
export type SetNames = ReadonlyMap<string, EntityTypeDef> | ReadonlySet<string>;

export const MAX_BIND_URL_LENGTH = 4096;

const SCHEME_AND_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

export function parseBindUrl(
  url: unknown,
  sets: SetNames,
  expectedSet?: string,
): { set: string; key: string } {
  const shown = typeof url === 'string' ? (url.length > 200 ? `${url.slice(0, 200)}…` : url) : String(url);
  const invalid = (reason: string) =>
    mediaErrors.badRequest(`The URI '${shown}' does not identify an entity: ${reason}.`);
  if (typeof url !== 'string') throw mediaErrors.badRequest('An entity URI must be a string.');
  if (url.length > MAX_BIND_URL_LENGTH) throw invalid(`it is longer than ${MAX_BIND_URL_LENGTH} characters`);
  let path = url.trim().replace(SCHEME_AND_AUTHORITY, '');
  const end = path.search(/[?#]/);
  if (end >= 0) path = path.slice(0, end);
  let segments: string[];
  try {
    segments = splitSegments(decodePath(path));
  } catch {
    throw invalid('the path is malformed');
  }
  const last = segments.pop();
  if (last === undefined) throw invalid('it names no entity');
  if (segments.some((segment) => segment.includes('(') || segment.includes("'"))) {
    throw invalid('it does not end at an entity');
  }
  const open = last.indexOf('(');
  const name = open < 0 ? last : last.slice(0, open);
  const set = resolveSet(name, sets);
  if (set === undefined) throw invalid(`'${name}' is not an entity set`);
  if (expectedSet !== undefined && set !== expectedSet) throw invalid(`it names ${set}, not ${expectedSet}`);
  const type = sets instanceof Map ? (sets as ReadonlyMap<string, EntityTypeDef>).get(set) : undefined;
  let key: string | undefined;
  try {
    key = parseSegment(last, keyDefOf(type)).key;
  } catch {
    throw invalid('the key is malformed');
  }
  if (key === undefined) throw invalid('it has no key');
  return { set, key };
}

function resolveSet(name: string, sets: SetNames): string | undefined {
  if (sets.has(name)) return name;
  const lower = name.toLowerCase();
  for (const candidate of sets.keys()) if (candidate.toLowerCase() === lower) return candidate;
  return undefined;
}
