import { builtInRoles } from './builtInRoleFile.js';
import type { Permission } from './permissions.js';

/**
 * Azure's built-in role definitions, every one of them (data/built-in-roles.json), with
 * Microsoft's GUIDs, names and permissions, so scripts written for Azure (`--role "Storage Blob
 * Data Reader"`, a role definition id copied from the docs) work unchanged.
 */

export type RolePermission = Permission;

export interface RoleDefinition {
  /** The GUID: ARM's `name`, and the last segment of the definition's id. */
  name: string;
  roleName: string;
  description: string;
  roleType: 'BuiltInRole' | 'CustomRole';
  assignableScopes: readonly string[];
  permissions: readonly RolePermission[];
}

export const builtInRoleDefinitions: readonly RoleDefinition[] = builtInRoles.map((role) => ({
  ...role,
  roleType: 'BuiltInRole',
}));

// By GUID and by lower-cased name: both are unique among built-in roles (the file is checked).
const byKey = new Map<string, RoleDefinition>();
for (const role of builtInRoleDefinitions) {
  byKey.set(role.name, role);
  byKey.set(role.roleName.toLowerCase(), role);
}

// ARM names a definition at tenant scope or under a subscription; both end in the GUID.
const DEFINITION_ID =
  /^(?:\/subscriptions\/[^/]+)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)\/?$/i;

/** By role name (case-insensitive, as az's `--role`), by GUID, or by full role definition id. */
export function findRoleDefinition(nameOrId: string): RoleDefinition | undefined {
  const key = (DEFINITION_ID.exec(nameOrId.trim())?.[1] ?? nameOrId.trim()).toLowerCase();
  return byKey.get(key);
}

/** Whether a GUID names a built-in role (built-in GUIDs win over any custom role's). */
export const isBuiltInRoleId = (guid: string): boolean => {
  const role = byKey.get(guid.toLowerCase());
  return role !== undefined && role.name === guid.toLowerCase();
};
