import { graphErrors } from '../errors.js';

/** A key in a path: `users/{id}`, `users('{upn}')` or the alternate key `servicePrincipals(appId='…')`. */
export interface PathKey {
  value: string;
  property: 'id' | 'appId';
}

export type PathToken = { kind: 'segment'; name: string } | { kind: 'key'; key: PathKey };

const KEYED = /^([^()]+)\((.*)\)$/;
const QUOTED = /^'((?:[^']|'')*)'$/;
const ALTERNATE = /^(id|appId)=(.*)$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_SEGMENTS = 12;

function keyOf(expression: string): PathKey {
  const alternate = ALTERNATE.exec(expression.trim());
  const property = alternate?.[1]?.toLowerCase() === 'appid' ? 'appId' : 'id';
  const literal = (alternate ? (alternate[2] as string) : expression).trim();
  const quoted = QUOTED.exec(literal);
  if (quoted) return { value: (quoted[1] as string).replace(/''/g, "'"), property };
  if (GUID.test(literal)) return { value: literal, property };
  throw graphErrors.odataBadRequest(
    `Bad Request - Error in query syntax: '${expression}' is not a valid key.`,
  );
}

/**
 * The path after `/v1.0/`, as sent: segments decoded one by one (so an encoded slash stays inside
 * its segment), and `name(key)` split into the name and its key, which OData allows for any
 * segment that addresses one entity of a collection.
 */
export function parseResourcePath(rawPath: string): PathToken[] {
  const tokens: PathToken[] = [];
  const segments = rawPath.split('/').filter((s) => s !== '');
  if (segments.length > MAX_SEGMENTS)
    throw graphErrors.odataBadRequest('The request path has too many segments.');
  for (const raw of segments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw graphErrors.odataBadRequest(
        `Bad Request - Error in query syntax: '${raw}' is not a valid segment.`,
      );
    }
    const keyed = KEYED.exec(segment);
    if (keyed) {
      tokens.push({ kind: 'segment', name: keyed[1] as string });
      tokens.push({ kind: 'key', key: keyOf(keyed[2] as string) });
    } else tokens.push({ kind: 'segment', name: segment });
  }
  return tokens;
}

/** A route's path: literals (matched without regard to case, actions with or without `microsoft.graph.`) and `{params}`. */
export interface PathTemplate {
  parts: ReadonlyArray<{ literal: string } | { param: string }>;
}

export function compileTemplate(template: string): PathTemplate {
  return {
    parts: template.split('/').map((part) => {
      const param = /^\{(\w+)\}$/.exec(part);
      return param ? { param: param[1] as string } : { literal: part.toLowerCase() };
    }),
  };
}

const ACTION_NAMESPACE = 'microsoft.graph.';

function literalMatches(literal: string, token: PathToken): boolean {
  if (token.kind !== 'segment') return false;
  const name = token.name.toLowerCase();
  return (
    name === literal || (name.startsWith(ACTION_NAMESPACE) && name.slice(ACTION_NAMESPACE.length) === literal)
  );
}

/** How many leading tokens a template matches, and its params when it matches them all. */
export function matchTemplate(
  template: PathTemplate,
  tokens: readonly PathToken[],
): { matched: number; params?: Record<string, PathKey> } {
  const params: Record<string, PathKey> = {};
  let index = 0;
  for (const part of template.parts) {
    const token = tokens[index];
    if (!token) return { matched: index };
    if ('literal' in part) {
      if (!literalMatches(part.literal, token)) return { matched: index };
    } else {
      params[part.param] = token.kind === 'key' ? token.key : { value: token.name, property: 'id' };
    }
    index++;
  }
  if (index !== tokens.length) return { matched: index };
  return { matched: index, params };
}

/** What a 400 for an unknown path names: the first segment no route knows. */
export const describeToken = (token: PathToken | undefined): string =>
  token === undefined ? '' : token.kind === 'segment' ? token.name : token.key.value;
