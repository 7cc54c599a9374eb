import type { AppRoleAssignment } from '../../directory/model.js';
import type { EntityType } from '../odata/entityType.js';
import type { Json } from '../odata/evaluate.js';
import { graphDateTime } from './dates.js';

export const appRoleAssignmentType: EntityType = {
  name: 'microsoft.graph.appRoleAssignment',
  properties: {
    id: 'string',
    deletedDateTime: 'dateTime',
    appRoleId: 'string',
    createdDateTime: 'dateTime',
    principalDisplayName: 'string',
    principalId: 'string',
    principalType: 'string',
    resourceDisplayName: 'string',
    resourceId: 'string',
  },
};

export function appRoleAssignmentJson(
  assignment: AppRoleAssignment,
  principalDisplayName: string | null,
  resourceDisplayName: string | null,
): Json {
  return {
    id: assignment.id,
    deletedDateTime: null,
    appRoleId: assignment.appRoleId,
    createdDateTime: graphDateTime(assignment.createdAt),
    principalDisplayName,
    principalId: assignment.principalId,
    principalType: assignment.principalType,
    resourceDisplayName,
    resourceId: assignment.resourceId,
  };
}
