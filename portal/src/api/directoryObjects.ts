import { ApiError } from './apiError.js';
import { callApi } from './http.js';
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

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function principalOf(item: Json, fallbackType?: string): Principal | undefined {
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

const valueOf = (body: unknown): Json[] =>
  isJson(body) && Array.isArray(body.value) ? body.value.filter(isJson) : [];

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

/** OData string literal: a quote is doubled. */
const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;

const SEARCHES = [
  {
    collection: 'users',
    type: 'user',
    label: 'users',
    filter: (q: string) => `startswith(displayName,${q}) or startswith(userPrincipalName,${q})`,
    select: 'id,displayName,userPrincipalName',
  },
  {
    collection: 'groups',
    type: 'group',
    label: 'groups',
    filter: (q: string) => `startswith(displayName,${q})`,
    select: 'id,displayName,mail,description',
  },
  {
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

/**
 * Users, groups and service principals (managed identities' included) whose name starts with
 * the text, each kind asked separately so one Graph refuses does not hide the others.
 */
export async function searchPrincipals(query: string, top = 10): Promise<PrincipalSearch> {
  const q = literal(query.trim());
  const answers = await Promise.allSettled(
    SEARCHES.map(async (search) => {
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
        `${SEARCHES[i]?.label ?? 'principals'}: ${reason instanceof ApiError ? reason.message : String(reason)}`,
      );
    }
  });
  return { principals, refused };
}
