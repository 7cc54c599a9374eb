import type { ArmOperation } from '../arm/context.js';
import { armErrors } from '../arm/errors.js';
import type { ArmTarget } from '../arm/path.js';
import { checkAccessOperation } from './checkAccessApi.js';
import { denyAssignmentsOperation } from './denyAssignmentsApi.js';
import { permissionsOperation } from './permissionsApi.js';
import { providerOperation } from './providers.js';
import { listResourceGroups, resourceGroupOperation } from './resourceGroupsApi.js';
import { roleAssignmentsOperation } from './roleAssignmentsApi.js';
import { roleDefinitionsOperation } from './roleDefinitionsApi.js';
import { getSubscription, listSubscriptions } from './subscriptionsApi.js';
import {
  isUserAssignedIdentityTarget,
  userAssignedIdentitiesOperation,
} from './userAssignedIdentitiesApi.js';
import { listTenants } from './tenantsApi.js';

const readOnly = (method: string, operation: () => ArmOperation): ArmOperation => {
  if (method !== 'GET' && method !== 'HEAD') throw armErrors.methodNotAllowed(method);
  return operation();
};

/** The operation a parsed path and method name; 404/405 when Tessera serves no such thing. */
export function operationFor(target: ArmTarget, method: string, apiVersion: string): ArmOperation {
  switch (target.kind) {
    case 'tenants':
      return readOnly(method, () => listTenants);
    case 'subscriptions':
      return readOnly(method, () => listSubscriptions);
    case 'subscription':
      return readOnly(method, () => getSubscription(target.subscriptionId));
    case 'resourceGroups':
      return readOnly(method, () => listResourceGroups(target.subscriptionId));
    case 'resourceGroup':
      return resourceGroupOperation(target.subscriptionId, target.resourceGroup, method);
    case 'providerResource':
      if (isUserAssignedIdentityTarget(target)) return userAssignedIdentitiesOperation(target, method);
      return providerOperation(target, method, apiVersion);
    case 'authorization':
      switch (target.collection.toLowerCase()) {
        case 'roleassignments':
          return roleAssignmentsOperation(target.scope, target.name, method);
        case 'roledefinitions':
          return roleDefinitionsOperation(target.scope, target.name, method);
        case 'denyassignments':
          return denyAssignmentsOperation(target.scope, target.name, method);
        case 'permissions':
          return permissionsOperation(target.scope, target.name, method);
        case 'checkaccess':
          return checkAccessOperation(target.scope, target.name, method);
        default:
          throw armErrors.invalidResourceType(target.collection, 'Microsoft.Authorization', apiVersion);
      }
  }
}
