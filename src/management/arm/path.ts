/** What an ARM request path names, before anything is looked up. */
export type ArmTarget =
  | { kind: 'tenants' }
  | { kind: 'subscriptions' }
  | { kind: 'subscription'; subscriptionId: string }
  | { kind: 'resourceGroups'; subscriptionId: string }
  | { kind: 'resourceGroup'; subscriptionId: string; resourceGroup: string }
  | {
      kind: 'providerResource';
      subscriptionId: string;
      /** Absent for a subscription-wide list (`/subscriptions/{id}/providers/{ns}/{type}`). */
      resourceGroup?: string;
      namespace: string;
      type: string;
      name?: string;
      /** A POST action on the resource (`listKeys`, `regenerateKey`). */
      action?: string;
    }
  | {
      kind: 'authorization';
      /** Everything before the last `/providers/Microsoft.Authorization/`; `/` for the tenant root. */
      scope: string;
      collection: string;
      name?: string;
    };

const AUTHORIZATION = 'microsoft.authorization';

/**
 * Decoded, non-empty segments. Clients send doubled slashes (the Azure SDKs build
 * `{endpoint}/{scope}` with a scope that starts with one), which ARM ignores too. A segment
 * that decodes to a slash is refused: it would shift the scope that RBAC checks.
 */
export function pathSegments(path: string): string[] | undefined {
  const segments: string[] = [];
  for (let start = 0; start < path.length;) {
    let end = path.indexOf('/', start);
    if (end < 0) end = path.length;
    const raw = path.slice(start, end);
    start = end + 1;
    if (raw === '') continue;
    // Only an escape can make a segment differ from its decoding (most paths have none).
    let segment = raw;
    if (raw.includes('%')) {
      try {
        segment = decodeURIComponent(raw);
      } catch {
        return undefined;
      }
      if (segment.includes('/')) return undefined;
    }
    if (segment.includes('\\')) return undefined;
    segments.push(segment);
  }
  return segments;
}

/** The path of a URL without its query, with doubled slashes collapsed, for messages and links. */
export function canonicalPath(url: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  // Already canonical, as nearly every request is: nothing to split and join again.
  if (path.length > 1 && path.startsWith('/') && !path.endsWith('/') && !path.includes('//')) return path;
  return `/${path.split('/').filter(Boolean).join('/')}`;
}

function lastAuthorizationProvider(segments: readonly string[]): number {
  for (let i = segments.length - 2; i >= 0; i--) {
    if (segments[i]?.toLowerCase() === 'providers' && segments[i + 1]?.toLowerCase() === AUTHORIZATION)
      return i;
  }
  return -1;
}

/** Parses an ARM path; undefined when it has none of the shapes the management API serves. */
export function parseArmPath(path: string): ArmTarget | undefined {
  const segments = pathSegments(path);
  return segments && armTargetOf(segments);
}

/** What decoded path segments (`pathSegments`) name; undefined for no shape the API serves. */
export function armTargetOf(segments: readonly string[]): ArmTarget | undefined {
  if (segments.length === 0) return undefined;
  // Scopes themselves contain `/providers/` several times: the last Microsoft.Authorization one
  // is the operation, everything before it the scope.
  const auth = lastAuthorizationProvider(segments);
  if (auth >= 0) {
    const [collection, name, ...extra] = segments.slice(auth + 2);
    if (!collection || extra.length > 0) return undefined;
    const scope = `/${segments.slice(0, auth).join('/')}`;
    return { kind: 'authorization', scope, collection, ...(name !== undefined ? { name } : {}) };
  }
  // Indexed reads, not destructuring: every management request parses its path.
  const first = segments[0]?.toLowerCase();
  if (first === 'tenants' && segments.length === 1) return { kind: 'tenants' };
  if (first !== 'subscriptions') return undefined;
  const subscriptionId = segments[1];
  if (subscriptionId === undefined) return { kind: 'subscriptions' };
  if (segments.length === 2) return { kind: 'subscription', subscriptionId };
  const rest = segments.slice(2);
  const [next, group, ...below] = rest;
  if (next?.toLowerCase() === 'providers') return providerPath(subscriptionId, undefined, rest.slice(1));
  if (next?.toLowerCase() !== 'resourcegroups') return undefined;
  if (group === undefined) return { kind: 'resourceGroups', subscriptionId };
  if (below.length === 0) return { kind: 'resourceGroup', subscriptionId, resourceGroup: group };
  if (below[0]?.toLowerCase() !== 'providers') return undefined;
  return providerPath(subscriptionId, group, below.slice(1));
}

function providerPath(
  subscriptionId: string,
  resourceGroup: string | undefined,
  segments: readonly string[],
): ArmTarget | undefined {
  const [namespace, type, name, action, ...extra] = segments;
  if (!namespace || !type || extra.length > 0) return undefined;
  // Subscription-level paths serve lists only: no resource type here lives outside a group.
  if (resourceGroup === undefined && name !== undefined) return undefined;
  return {
    kind: 'providerResource',
    subscriptionId,
    ...(resourceGroup !== undefined ? { resourceGroup } : {}),
    namespace,
    type,
    ...(name !== undefined ? { name } : {}),
    ...(action !== undefined ? { action } : {}),
  };
}
