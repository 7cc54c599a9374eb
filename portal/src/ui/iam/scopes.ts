/**
 * ARM scopes as people read them: what a scope is (subscription, group, a store…), its name, and
 * where an assignment made at one scope sits from another's point of view.
 */
export type ScopeLevel = 'root' | 'managementGroup' | 'subscription' | 'resourceGroup' | 'resource';

export interface ScopeInfo {
  scope: string;
  level: ScopeLevel;
  /** The last name in the scope (the group's, the account's); the subscription's id. */
  name: string;
  /** "Resource group", "Media Services account"… */
  kind: string;
  subscriptionId?: string;
  resourceGroup?: string;
}

const RESOURCE_KINDS: Record<string, string> = {
  'microsoft.media/mediaservices': 'Media Services account',
  'microsoft.appconfiguration/configurationstores': 'App Configuration store',
  'microsoft.managedidentity/userassignedidentities': 'Managed identity',
};

const SUBSCRIPTION = /^\/subscriptions\/([^/]+)$/i;
const GROUP = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)$/i;
const RESOURCE =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)(?:\/[^/]+\/[^/]+)*$/i;
const MANAGEMENT_GROUP = /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)$/i;

/** A scope the portal will put in an ARM path: no empty, dot or escape segments, nothing after it. */
export function parseScope(scope: string): ScopeInfo | undefined {
  if (scope === '/') return { scope, level: 'root', name: 'Root', kind: 'Root scope' };
  const segments = scope.split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /[?#%\\\s]/.test(s))) return undefined;
  let m = SUBSCRIPTION.exec(scope);
  if (m?.[1]) return { scope, level: 'subscription', name: m[1], kind: 'Subscription', subscriptionId: m[1] };
  m = GROUP.exec(scope);
  if (m?.[1] && m[2])
    return {
      scope,
      level: 'resourceGroup',
      name: m[2],
      kind: 'Resource group',
      subscriptionId: m[1],
      resourceGroup: m[2],
    };
  m = RESOURCE.exec(scope);
  if (m?.[1] && m[2] && m[3] && m[4]) {
    const type = `${m[3]}/${m[4]}`.toLowerCase();
    return {
      scope,
      level: 'resource',
      name: segments[segments.length - 1] ?? '',
      kind: RESOURCE_KINDS[type] ?? `${m[3]}/${m[4]}`,
      subscriptionId: m[1],
      resourceGroup: m[2],
    };
  }
  m = MANAGEMENT_GROUP.exec(scope);
  if (m?.[1]) return { scope, level: 'managementGroup', name: m[1], kind: 'Management group' };
  return undefined;
}

const key = (scope: string): string => scope.toLowerCase().replace(/\/+$/, '') || '/';

/**
 * Where an assignment's scope sits as seen from the page's: "This resource" when made here,
 * else "<level> (inherited)". Assignments below the page's scope are not listed (atScope()).
 */
export function originOf(assignmentScope: string, pageScope: string): { inherited: boolean; label: string } {
  if (key(assignmentScope) === key(pageScope)) return { inherited: false, label: 'This resource' };
  const level = parseScope(assignmentScope)?.level;
  const names: Record<ScopeLevel, string> = {
    root: 'Root',
    managementGroup: 'Management group',
    subscription: 'Subscription',
    resourceGroup: 'Resource group',
    resource: 'Resource',
  };
  return { inherited: true, label: `${level ? names[level] : 'Parent scope'} (inherited)` };
}

/** The scopes above this one, outermost first, for the breadcrumb. */
export function ancestorsOf(info: ScopeInfo): ScopeInfo[] {
  const out: ScopeInfo[] = [];
  if (info.subscriptionId && info.level !== 'subscription') {
    const sub = parseScope(`/subscriptions/${info.subscriptionId}`);
    if (sub) out.push(sub);
  }
  if (info.resourceGroup && info.level === 'resource') {
    const group = parseScope(
      `/subscriptions/${info.subscriptionId ?? ''}/resourceGroups/${info.resourceGroup}`,
    );
    if (group) out.push(group);
  }
  return out;
}
