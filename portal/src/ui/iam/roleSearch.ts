import type { RoleDefinition } from '../../api/rbac.js';

export const NO_MATCH = 4;

/**
 * How well a role matches the searched text: its exact name first, then names that start with
 * the text, names that contain it, and descriptions that do (hundreds of roles end in "Reader").
 */
export function roleRank(role: RoleDefinition, needle: string): number {
  const name = role.roleName.toLowerCase();
  if (!needle || name === needle) return 0;
  if (name.startsWith(needle)) return 1;
  if (name.includes(needle)) return 2;
  return role.description.toLowerCase().includes(needle) ? 3 : NO_MATCH;
}

/** The roles that match, best first, then by name. */
export function searchRoles(roles: RoleDefinition[], query: string): RoleDefinition[] {
  const needle = query.trim().toLowerCase();
  return roles
    .map((role) => ({ role, rank: roleRank(role, needle) }))
    .filter((m) => m.rank < NO_MATCH)
    .sort((a, b) => a.rank - b.rank || a.role.roleName.localeCompare(b.role.roleName))
    .map((m) => m.role);
}
