import { nextLinkOf, odataLiteral, valueOf } from './graphPages.js';
import type { Json } from './json.js';
import { isJson, text } from './json.js';
import { callApi } from './http.js';

/** One attempt in the sign-in log, as Graph's signIn resource has it. */
export interface SignInEntry {
  id: string;
  createdDateTime: string;
  userDisplayName: string;
  userPrincipalName: string;
  appDisplayName: string;
  appId: string;
  resourceDisplayName: string;
  ipAddress: string;
  clientAppUsed: string;
  errorCode: number;
  failureReason: string;
}

const entryOf = (item: Json): SignInEntry => {
  const status = isJson(item.status) ? item.status : {};
  return {
    id: text(item.id),
    createdDateTime: text(item.createdDateTime),
    userDisplayName: text(item.userDisplayName),
    userPrincipalName: text(item.userPrincipalName),
    appDisplayName: text(item.appDisplayName),
    appId: text(item.appId),
    resourceDisplayName: text(item.resourceDisplayName),
    ipAddress: text(item.ipAddress),
    clientAppUsed: text(item.clientAppUsed),
    errorCode: typeof status.errorCode === 'number' ? status.errorCode : 0,
    failureReason: text(status.failureReason),
  };
};

export interface SignInFilters {
  /** ISO date-times, inclusive. */
  from?: string;
  to?: string;
  /** The start of the user name (UPN). */
  user?: string;
  /** An application id, or the start of the application's name. */
  app?: string;
  status?: 'success' | 'failure';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Graph's `$filter` for the filters chosen (Graph evaluates it over the whole log). */
export function signInFilter(filters: SignInFilters): string {
  const clauses: string[] = [];
  if (filters.from) clauses.push(`createdDateTime ge ${filters.from}`);
  if (filters.to) clauses.push(`createdDateTime le ${filters.to}`);
  if (filters.user) clauses.push(`startswith(userPrincipalName,${odataLiteral(filters.user)})`);
  if (filters.app) {
    clauses.push(
      GUID.test(filters.app)
        ? `appId eq ${odataLiteral(filters.app)}`
        : `startswith(appDisplayName,${odataLiteral(filters.app)})`,
    );
  }
  if (filters.status) clauses.push(`status/errorCode ${filters.status === 'success' ? 'eq' : 'ne'} 0`);
  return clauses.join(' and ');
}

export interface SignInPage {
  entries: SignInEntry[];
  /** Where the next page is, when the log has more. */
  next?: string;
}

/** A page of the log, newest first: the first page for the filters, or the page a next link names. */
export async function listSignIns(from: SignInFilters | { next: string }, top = 100): Promise<SignInPage> {
  let path: string;
  if ('next' in from) path = from.next;
  else {
    const params = new URLSearchParams({ $top: String(top) });
    const filter = signInFilter(from);
    if (filter) params.set('$filter', filter);
    path = `/v1.0/auditLogs/signIns?${params.toString()}`;
  }
  const { body } = await callApi('graph', path);
  const next = nextLinkOf(body);
  return { entries: valueOf(body).map(entryOf), ...(next !== undefined && { next }) };
}
