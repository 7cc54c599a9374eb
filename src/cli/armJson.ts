import { parseScope } from '../access/scopes.js';

/**
 * az prints ARM resources the way the Python SDK models them: `properties` lifted to the top
 * level, and `resourceGroup` added for anything inside a group.
 */
export function azResource<T extends { id: string; properties?: object }>(
  resource: T,
): Record<string, unknown> {
  const { properties, ...rest } = resource;
  const group = parseScope(resource.id)?.resourceGroup;
  return { ...rest, ...properties, ...(group !== undefined ? { resourceGroup: group } : {}) };
}

/** `k=v` pairs, as az's `--tags`. */
export function parseTagPairs(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs) return undefined;
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}
