import { callApi } from './http.js';
import { listAll } from './arm.js';
import type { Json } from './json.js';
import { isJson, strings, text } from './json.js';

/** Azure RBAC through ARM's Microsoft.Authorization provider, at any scope. */
const VERSION = '2022-04-01';
const PROVIDER = 'providers/Microsoft.Authorization';

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinition {
  id: string;
  /** The role's GUID, which assignments name it by. */
  name: string;
  roleName: string;
  /** `BuiltInRole` or `CustomRole`. */
  roleType: string;
  description: string;
  assignableScopes: string[];
  permissions: Permission[];
}

export type PrincipalType = 'User' | 'Group' | 'ServicePrincipal' | 'ForeignGroup';

export interface RoleAssignment {
  id: string;
  name: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  scope: string;
  description: string;
  createdOn: string;
}

export interface DenyAssignment {
  id: string;
  denyAssignmentName: string;
  description: string;
  scope: string;
  doNotApplyToChildScopes: boolean;
  principals: { id: string; type: string }[];
  excludePrincipals: { id: string; type: string }[];
  permissions: Permission[];
  isSystemProtected: boolean;
}

const propertiesOf = (item: Json): Json => (isJson(item.properties) ? item.properties : {});

const permissionOf = (p: Json): Permission => ({
  actions: strings(p.actions),
  notActions: strings(p.notActions),
  dataActions: strings(p.dataActions),
  notDataActions: strings(p.notDataActions),
});
const permissionsOf = (value: unknown): Permission[] =>
  Array.isArray(value) ? value.filter(isJson).map(permissionOf) : [];
const principalsOf = (value: unknown) =>
  Array.isArray(value) ? value.filter(isJson).map((p) => ({ id: text(p.id), type: text(p.type) })) : [];

const at = (scope: string, collection: string, query = '') =>
  `${scope === '/' ? '' : scope}/${PROVIDER}/${collection}?api-version=${VERSION}${query}`;

/** The GUID at the end of a role definition id, lower-cased (how assignments and definitions meet). */
export const definitionGuidOf = (id: string): string => (id.split('/').pop() ?? '').toLowerCase();

/** Assignments that apply at the scope: made there or on a scope above it (`atScope()`). */
export const listRoleAssignments = async (scope: string): Promise<RoleAssignment[]> =>
  (await listAll(at(scope, 'roleAssignments', `&$filter=${encodeURIComponent('atScope()')}`))).map((item) => {
    const p = propertiesOf(item);
    return {
      id: text(item.id),
      name: text(item.name),
      roleDefinitionId: text(p.roleDefinitionId),
      principalId: text(p.principalId),
      principalType: text(p.principalType),
      scope: text(p.scope),
      description: text(p.description),
      createdOn: text(p.createdOn),
    };
  });

/** Every role, built-in and custom, that can be assigned at the scope. */
export const listRoleDefinitions = async (scope: string): Promise<RoleDefinition[]> =>
  (await listAll(at(scope, 'roleDefinitions'))).map((item) => {
    const p = propertiesOf(item);
    return {
      id: text(item.id),
      name: text(item.name).toLowerCase(),
      roleName: text(p.roleName),
      roleType: text(p.type),
      description: text(p.description),
      assignableScopes: strings(p.assignableScopes),
      permissions: permissionsOf(p.permissions),
    };
  });

/** Deny assignments that apply at the scope; only Azure (here, Tessera's CLI) writes them. */
export const listDenyAssignments = async (scope: string): Promise<DenyAssignment[]> =>
  (await listAll(at(scope, 'denyAssignments', `&$filter=${encodeURIComponent('atScope()')}`))).map((item) => {
    const p = propertiesOf(item);
    return {
      id: text(item.id),
      denyAssignmentName: text(p.denyAssignmentName) || text(item.name),
      description: text(p.description),
      scope: text(p.scope),
      doNotApplyToChildScopes: p.doNotApplyToChildScopes === true,
      principals: principalsOf(p.principals),
      excludePrincipals: principalsOf(p.excludePrincipals),
      permissions: permissionsOf(p.permissions),
      isSystemProtected: p.isSystemProtected === true,
    };
  });

/** PUT under a new GUID, as the Azure portal does; ARM decides whether the caller may. */
export async function createRoleAssignment(
  scope: string,
  input: { roleDefinitionId: string; principalId: string; principalType: PrincipalType },
): Promise<void> {
  const name = crypto.randomUUID();
  await callApi('arm', at(scope, `roleAssignments/${name}`), {
    method: 'PUT',
    body: { properties: input },
  });
}

/** By the assignment's own id (its scope is in it). */
export async function deleteRoleAssignment(id: string): Promise<void> {
  await callApi('arm', `${id}?api-version=${VERSION}`, { method: 'DELETE' });
}

/** One decision of ARM's check-access operation (the RBAC remote PDP's entry, with Tessera's reason). */
export interface AccessCheck {
  actionId: string;
  isDataAction: boolean;
  accessDecision: 'Allowed' | 'NotAllowed' | 'Denied';
  /** `RoleAssignment`, `NoRoleAssignment`, `DenyAssignment`, `ConditionNotMet`, `AttributesRequired`. */
  reason: string;
  /** The grant behind the decision: the one that allowed it, or the one whose condition refused it. */
  roleAssignment?: {
    id: string;
    roleDefinitionId: string;
    roleDefinitionName: string;
    principalId: string;
    principalType: string;
    scope: string;
    condition: string | null;
  };
  denyAssignment?: { id: string; name: string; scope: string };
}

const CHECK_ACCESS = `/${PROVIDER}/checkAccess?api-version=2021-06-01-preview`;

const accessCheckOf = (item: Json): AccessCheck => {
  const granted = isJson(item.roleAssignment) ? item.roleAssignment : undefined;
  const deny = isJson(item.denyAssignment) ? item.denyAssignment : undefined;
  const decision = text(item.accessDecision);
  return {
    actionId: text(item.actionId),
    isDataAction: item.isDataAction === true,
    accessDecision: decision === 'Allowed' || decision === 'Denied' ? decision : 'NotAllowed',
    reason: text(item.reason),
    ...(granted && {
      roleAssignment: {
        id: text(granted.id),
        roleDefinitionId: text(granted.roleDefinitionId),
        roleDefinitionName: text(granted.roleDefinitionName),
        principalId: text(granted.principalId),
        principalType: text(granted.principaltype),
        scope: text(granted.scope),
        condition: typeof granted.condition === 'string' ? granted.condition : null,
      },
    }),
    ...(deny && { denyAssignment: { id: text(deny.id), name: text(deny.name), scope: text(deny.scope) } }),
  };
};

/**
 * Whether a principal may perform actions at a scope, and why. Asking about someone else needs
 * `roleAssignments/read` there; ARM's refusal is thrown as it said it.
 */
export async function checkAccess(
  principalId: string,
  scope: string,
  actions: { id: string; isDataAction: boolean }[],
): Promise<AccessCheck[]> {
  const { body } = await callApi('arm', CHECK_ACCESS, {
    method: 'POST',
    body: {
      Subject: { Attributes: { ObjectId: principalId } },
      Actions: actions.map((a) => ({ Id: a.id, IsDataAction: a.isDataAction })),
      Resource: { Id: scope },
    },
  });
  return isJson(body) && Array.isArray(body.value) ? body.value.filter(isJson).map(accessCheckOf) : [];
}
