import type { Principal } from '../../api/directoryObjects.js';
import type { RoleAssignment, RoleDefinition } from '../../api/rbac.js';
import { definitionGuidOf } from '../../api/rbac.js';
import { originOf } from './scopes.js';

/** An assignment with what people read in it: the role's name, who holds it, where it was made. */
export interface AssignmentRow {
  assignment: RoleAssignment;
  roleName: string;
  principalName: string;
  principalKind: string;
  principalDetail: string;
  origin: { inherited: boolean; label: string };
}

const KINDS: Record<string, string> = {
  User: 'User',
  Group: 'Group',
  ServicePrincipal: 'Service principal',
  ForeignGroup: 'Foreign group',
};

export function rowOf(
  assignment: RoleAssignment,
  roles: Map<string, RoleDefinition>,
  principals: Map<string, Principal>,
  scope: string,
): AssignmentRow {
  const principal = principals.get(assignment.principalId.toLowerCase());
  const guid = definitionGuidOf(assignment.roleDefinitionId);
  return {
    assignment,
    roleName: roles.get(guid)?.roleName ?? guid,
    // A principal Graph does not show this person (or that is gone) keeps its id.
    principalName: principal?.displayName || assignment.principalId,
    principalKind: principal?.kind ?? KINDS[assignment.principalType] ?? assignment.principalType,
    principalDetail: principal ? principal.detail : 'Unknown or not visible to you',
    origin: originOf(assignment.scope, scope),
  };
}
