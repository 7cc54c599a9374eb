import { callApi } from './http.js';
import { listAll } from './arm.js';

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

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const propertiesOf = (item: Json): Json => (isJson(item.properties) ? item.properties : {});

const permissionOf = (p: Json): Permission => ({
  actions: texts(p.actions),
  notActions: texts(p.notActions),
  dataActions: texts(p.dataActions),
  notDataActions: texts(p.notDataActions),
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
      assignableScopes: texts(p.assignableScopes),
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
