import { ApiError } from './apiError.js';
import { odataLiteral, valueOf } from './graphPages.js';
import { callApi } from './http.js';
import type { Json } from './json.js';
import { text } from './json.js';
import type { PrincipalType } from './rbac.js';

/** A user, group or service principal, as Microsoft Graph names it for a person to pick or read. */
export interface Principal {
  id: string;
  displayName: string;
  type: PrincipalType;
  /** What people call this type: a managed identity is a service principal of its own kind. */
  kind: 'User' | 'Group' | 'Service principal' | 'Managed identity';
  /** The UPN, the group's mail nickname, the application id… whatever tells two names apart. */
  detail: string;
}

/** A directory object as a principal; `fallbackType` for lists that name no `@odata.type`. */
export function principalOf(item: Json, fallbackType?: string): Principal | undefined {
  const odataType = text(item['@odata.type']).replace(/^#?microsoft\.graph\./i, '') || fallbackType;
  const base = { id: text(item.id).toLowerCase(), displayName: text(item.displayName) };
  switch (odataType) {
    case 'user':
      return { ...base, type: 'User', kind: 'User', detail: text(item.userPrincipalName) };
    case 'group':
      return { ...base, type: 'Group', kind: 'Group', detail: text(item.mail) || text(item.description) };
    case 'servicePrincipal':
      return {
        ...base,
        type: 'ServicePrincipal',
        kind:
          text(item.servicePrincipalType) === 'ManagedIdentity' ? 'Managed identity' : 'Service principal',
        detail: text(item.appId),
      };
    default:
      return undefined;
  }
}

/** Graph's limit on one getByIds call. */
const IDS_PER_CALL = 1000;

/** The principals of the ids (those the person may read; the rest stay unnamed). */
export async function resolvePrincipals(ids: string[]): Promise<Map<string, Principal>> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  const found = new Map<string, Principal>();
  for (let i = 0; i < unique.length; i += IDS_PER_CALL) {
    const { body } = await callApi('graph', '/v1.0/directoryObjects/getByIds', {
      method: 'POST',
      body: { ids: unique.slice(i, i + IDS_PER_CALL), types: ['user', 'group', 'servicePrincipal'] },
    });
    for (const item of valueOf(body)) {
      const principal = principalOf(item);
      if (principal) found.set(principal.id, principal);
    }
  }
  return found;
}

const SEARCHES = [
  {
    principalType: 'User',
    collection: 'users',
    type: 'user',
    label: 'users',
    filter: (q: string) => `startswith(displayName,${q}) or startswith(userPrincipalName,${q})`,
    select: 'id,displayName,userPrincipalName',
  },
  {
    principalType: 'Group',
    collection: 'groups',
    type: 'group',
    label: 'groups',
    filter: (q: string) => `startswith(displayName,${q})`,
    select: 'id,displayName,mail,description',
  },
  {
    principalType: 'ServicePrincipal',
    collection: 'servicePrincipals',
    type: 'servicePrincipal',
    label: 'service principals',
    filter: (q: string) => `startswith(displayName,${q})`,
    select: 'id,displayName,appId,servicePrincipalType',
  },
] as const;

export interface PrincipalSearch {
  principals: Principal[];
  /** Kinds Graph refused to list for this person, with its message. */
  refused: string[];
}

/** The kinds of principal a search can look for. */
export type SearchableType = (typeof SEARCHES)[number]['principalType'];

export const EVERY_SEARCHABLE_TYPE: readonly SearchableType[] = SEARCHES.map((s) => s.principalType);

/**
 * Users, groups and service principals (managed identities' included) whose name starts with
 * the text, each kind asked separately so one Graph refuses does not hide the others; `types`
 * leaves out the kinds that are not asked for (they are not searched, so not refused either).
 */
export async function searchPrincipals(
  query: string,
  types: readonly SearchableType[] = EVERY_SEARCHABLE_TYPE,
  top = 10,
): Promise<PrincipalSearch> {
  const q = odataLiteral(query.trim());
  const searches = SEARCHES.filter((search) => types.includes(search.principalType));
  const answers = await Promise.allSettled(
    searches.map(async (search) => {
      const params = new URLSearchParams({
        $filter: search.filter(q),
        $select: search.select,
        $top: String(top),
      });
      const { body } = await callApi('graph', `/v1.0/${search.collection}?${params.toString()}`);
      return valueOf(body).flatMap((item) => principalOf(item, search.type) ?? []);
    }),
  );
  const principals: Principal[] = [];
  const refused: string[] = [];
  answers.forEach((answer, i) => {
    if (answer.status === 'fulfilled') principals.push(...answer.value);
    else {
      const reason: unknown = answer.reason;
      refused.push(
        `${searches[i]?.label ?? 'principals'}: ${reason instanceof ApiError ? reason.message : String(reason)}`,
      );
    }
  });
  return { principals, refused };
}
