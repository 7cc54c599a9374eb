import type { AppRole } from './applications.js';
import { callApi } from './http.js';
import { getGraph, listGraph, odataLiteral } from './graphPages.js';
import type { Json } from './json.js';
import { isJson, objects, strings, text } from './json.js';

export type ServicePrincipalType = 'Application' | 'ManagedIdentity';

export interface ServicePrincipalSummary {
  id: string;
  appId: string;
  displayName: string;
  type: string;
  accountEnabled: boolean;
  /** The tenant that registered the application (Microsoft's for first-party ones). */
  appOwnerOrganizationId: string;
}

export interface ServicePrincipalDetails extends ServicePrincipalSummary {
  servicePrincipalNames: string[];
  appRoles: AppRole[];
  signInAudience: string;
}

export interface RoleAssignment {
  id: string;
  appRoleId: string;
  principalId: string;
  principalDisplayName: string;
  principalType: string;
  resourceId: string;
  resourceDisplayName: string;
  createdDateTime: string;
}

const SUMMARY = 'id,appId,displayName,servicePrincipalType,accountEnabled,appOwnerOrganizationId';

const summaryOf = (item: Json): ServicePrincipalSummary => ({
  id: text(item.id),
  appId: text(item.appId),
  displayName: text(item.displayName),
  type: text(item.servicePrincipalType),
  accountEnabled: item.accountEnabled !== false,
  appOwnerOrganizationId: text(item.appOwnerOrganizationId),
});

const assignmentOf = (item: Json): RoleAssignment => ({
  id: text(item.id),
  appRoleId: text(item.appRoleId).toLowerCase(),
  principalId: text(item.principalId),
  principalDisplayName: text(item.principalDisplayName),
  principalType: text(item.principalType),
  resourceId: text(item.resourceId),
  resourceDisplayName: text(item.resourceDisplayName),
  createdDateTime: text(item.createdDateTime),
});

const path = (id: string) => `/v1.0/servicePrincipals/${encodeURIComponent(id)}`;

/** The tenant's service principals, all or of one type (Graph filters by servicePrincipalType). */
export async function listServicePrincipals(type?: ServicePrincipalType): Promise<ServicePrincipalSummary[]> {
  const query = new URLSearchParams({ $select: SUMMARY });
  if (type) query.set('$filter', `servicePrincipalType eq ${odataLiteral(type)}`);
  return (await listGraph(`/v1.0/servicePrincipals?${query.toString()}`)).map(summaryOf);
}

export async function getServicePrincipal(id: string): Promise<ServicePrincipalDetails> {
  const item = await getGraph(path(id));
  return {
    ...summaryOf(item),
    servicePrincipalNames: strings(item.servicePrincipalNames),
    signInAudience: text(item.signInAudience),
    appRoles: objects(item.appRoles).map((r) => ({
      id: text(r.id).toLowerCase(),
      value: text(r.value),
      displayName: text(r.displayName),
      description: text(r.description),
      allowedMemberTypes: strings(r.allowedMemberTypes).filter(
        (t): t is 'User' | 'Application' => t === 'User' || t === 'Application',
      ),
      isEnabled: r.isEnabled !== false,
    })),
  };
}

/** The application's service principal in this tenant, if it has one. */
export async function servicePrincipalOfApp(appId: string): Promise<ServicePrincipalSummary | undefined> {
  const query = new URLSearchParams({ $filter: `appId eq ${odataLiteral(appId)}`, $select: SUMMARY });
  const [first] = await listGraph(`/v1.0/servicePrincipals?${query.toString()}`);
  return first && summaryOf(first);
}

/** Instantiates an application in this tenant: its enterprise application. */
export async function createServicePrincipal(appId: string): Promise<ServicePrincipalSummary> {
  const { body } = await callApi('graph', '/v1.0/servicePrincipals', { method: 'POST', body: { appId } });
  return summaryOf(isJson(body) ? body : {});
}

/** Who holds the application's roles (users, groups, other applications). */
export const listAssignedTo = async (id: string): Promise<RoleAssignment[]> =>
  (await listGraph(`${path(id)}/appRoleAssignedTo`)).map(assignmentOf);

/** The roles of other applications this one was granted. */
export const listAssignmentsOf = async (id: string): Promise<RoleAssignment[]> =>
  (await listGraph(`${path(id)}/appRoleAssignments`)).map(assignmentOf);

export async function assignAppRole(
  resourceId: string,
  principalId: string,
  appRoleId: string,
): Promise<void> {
  await callApi('graph', `${path(resourceId)}/appRoleAssignedTo`, {
    method: 'POST',
    body: { principalId, resourceId, appRoleId },
  });
}

export async function removeAssignment(resourceId: string, assignmentId: string): Promise<void> {
  await callApi('graph', `${path(resourceId)}/appRoleAssignedTo/${encodeURIComponent(assignmentId)}`, {
    method: 'DELETE',
  });
}

/** Graph's id for an assignment to the app itself, for applications that define no roles. */
export const DEFAULT_ACCESS = '00000000-0000-0000-0000-000000000000';
