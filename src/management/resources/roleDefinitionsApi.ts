import type { StoredRoleDefinition } from '../../access/roleDefinitionStore.js';
import type { Permission } from '../../access/permissions.js';
import { formatScope, resolveScope } from '../../access/scopes.js';
import { isoFromSeconds } from '../../clock.js';
import { isGuid } from '../../errors.js';
import type { ArmContext, ArmOperation } from '../arm/context.js';
import { isObject, objectBody, optionalObject, optionalString, optionalStringArray } from '../arm/body.js';
import { ArmError, armErrors } from '../arm/errors.js';
import { eqValue, parseFilter } from '../arm/filters.js';
import { page } from '../arm/paging.js';
import { ROOT_SCOPE, assignmentScope, definitionIdPrefix, invalidScope } from './authorizationScope.js';
import { appliesAt } from './scopeRelations.js';

const ACTION = {
  read: 'Microsoft.Authorization/roleDefinitions/read',
  write: 'Microsoft.Authorization/roleDefinitions/write',
  delete: 'Microsoft.Authorization/roleDefinitions/delete',
};

const TYPE = 'Microsoft.Authorization/roleDefinitions';

const isoOrNull = (seconds: number | null): string | null =>
  seconds === null ? null : isoFromSeconds(seconds);

/** Azure's Permission shape; `condition` and `conditionVersion` only on a block that has them. */
export const permissionResource = (p: Permission) => ({
  actions: p.actions,
  notActions: p.notActions,
  dataActions: p.dataActions,
  notDataActions: p.notDataActions,
  ...(p.condition !== undefined ? { condition: p.condition, conditionVersion: p.conditionVersion } : {}),
});

/** Ids follow the scope asked at: `/subscriptions/{id}/providers/…` under a subscription, `/providers/…` at the root. */
export const roleDefinitionResource = (definition: StoredRoleDefinition, scope: string) => ({
  id: `${definitionIdPrefix(scope)}/providers/${TYPE}/${definition.name}`,
  name: definition.name,
  type: TYPE,
  properties: {
    roleName: definition.roleName,
    type: definition.roleType,
    description: definition.description,
    assignableScopes: definition.assignableScopes,
    permissions: definition.permissions.map(permissionResource),
    createdOn: isoOrNull(definition.createdOn),
    updatedOn: isoOrNull(definition.updatedOn),
    createdBy: definition.createdBy,
    updatedBy: definition.createdBy,
  },
});

const doesNotExist = (name: string) =>
  new ArmError(
    404,
    'RoleDefinitionDoesNotExist',
    `The specified role definition with ID '${name}' does not exist.`,
  );

/**
 * Every role, built-in or custom, whose assignable scopes apply at the scope (all of them at the
 * root): nearly every built-in role is assignable at `/` and so listed everywhere; the few confined
 * to a provider's scopes (Reservations, Service Groups) are not listed under a subscription, as in
 * Azure. `$filter=roleName eq '…'` or `type eq 'BuiltInRole' | 'CustomRole'`.
 */
async function listDefinitions(context: ArmContext, scope: string): Promise<StoredRoleDefinition[]> {
  const clauses = parseFilter(context.request.query['$filter'], ['roleName', 'type']);
  const roleName = eqValue(clauses, 'roleName');
  const type = eqValue(clauses, 'type');
  if (type !== undefined && type !== 'BuiltInRole' && type !== 'CustomRole') {
    throw new ArmError(400, 'UnsupportedQuery', `The role definition type '${type}' is not supported.`);
  }
  const all = await context.tessera.roleDefinitions.list(context.caller.tenantId, { roleName, type });
  return scope === ROOT_SCOPE ? all : all.filter((d) => d.assignableScopes.some((s) => appliesAt(s, scope)));
}

function permissionsOf(properties: Record<string, unknown>): Permission[] {
  const value = properties.permissions ?? [];
  if (!Array.isArray(value) || !value.every(isObject)) {
    throw armErrors.invalidRequestContent('properties.permissions must be an array of permission objects.');
  }
  return value.map((p: Record<string, unknown>, i) => ({
    actions: optionalStringArray(p, 'actions', `properties.permissions[${i}].actions`) ?? [],
    notActions: optionalStringArray(p, 'notActions', `properties.permissions[${i}].notActions`) ?? [],
    dataActions: optionalStringArray(p, 'dataActions', `properties.permissions[${i}].dataActions`) ?? [],
    notDataActions:
      optionalStringArray(p, 'notDataActions', `properties.permissions[${i}].notDataActions`) ?? [],
  }));
}

/** Custom role PUT: the caller needs roleDefinitions/write on every scope the role may be assigned at. */
async function putDefinition(context: ArmContext, name: string) {
  const { tessera, caller } = context;
  const properties = optionalObject(objectBody(context.request.body), 'properties');
  if (!properties) throw armErrors.invalidRequestFormat("The request body must have a 'properties' object.");
  const roleName = optionalString(properties, 'roleName', 'properties.roleName');
  if (!roleName) throw new ArmError(400, 'InvalidRoleName', 'The role name cannot be empty.');
  const type = optionalString(properties, 'type', 'properties.type') ?? 'CustomRole';
  if (type.toLowerCase() !== 'customrole') {
    throw new ArmError(
      400,
      'InvalidRoleDefinitionType',
      `Only custom roles can be written; the type '${type}' is not.`,
    );
  }
  const scopes = optionalStringArray(properties, 'assignableScopes', 'properties.assignableScopes') ?? [];
  if (scopes.length === 0) {
    throw new ArmError(400, 'MissingAssignableScopes', 'A custom role needs at least one assignable scope.');
  }
  const assignableScopes: string[] = [];
  for (const scope of scopes) {
    const canonical = formatScope(await resolveScope(tessera.db, caller.tenantId, scope));
    await context.authorize(ACTION.write, canonical);
    assignableScopes.push(canonical);
  }
  const { definition } = await tessera.roleDefinitions.createOrUpdate(caller.tenantId, {
    name,
    roleName,
    description: optionalString(properties, 'description', 'properties.description'),
    permissions: permissionsOf(properties),
    assignableScopes,
    createdBy: caller.principal.objectId,
  });
  return definition;
}

/** `{scope}/providers/Microsoft.Authorization/roleDefinitions[/{guid}]`, `/` included for reads. */
export function roleDefinitionsOperation(
  scope: string,
  name: string | undefined,
  method: string,
): ArmOperation {
  const atRoot = scope === ROOT_SCOPE;
  if (!atRoot) assignmentScope(scope);
  // The catalogue of roles at the root is open to every caller of the tenant, as in Azure.
  const operation = (action: string, run: ArmOperation['run']): ArmOperation => ({
    api: 'roleDefinitions',
    action: atRoot && action === ACTION.read ? null : action,
    scope,
    run,
  });
  if (name === undefined) {
    if (method !== 'GET') throw armErrors.methodNotAllowed(method);
    return operation(ACTION.read, async (context) => {
      const definitions = await listDefinitions(context, scope);
      return {
        status: 200,
        body: page(
          definitions.map((d) => roleDefinitionResource(d, scope)),
          context.request,
        ),
      };
    });
  }
  switch (method) {
    case 'GET':
      return operation(ACTION.read, async (context) => {
        const definition = isGuid(name)
          ? await context.tessera.roleDefinitions.find(context.caller.tenantId, name)
          : undefined;
        if (!definition) throw doesNotExist(name);
        return { status: 200, body: roleDefinitionResource(definition, scope) };
      });
    case 'PUT':
      if (atRoot) throw invalidScope(scope);
      // ARM answers 201 for both creation and update of a role definition.
      return operation(ACTION.write, async (context) => ({
        status: 201,
        body: roleDefinitionResource(await putDefinition(context, name), scope),
      }));
    case 'DELETE':
      if (atRoot) throw invalidScope(scope);
      return operation(ACTION.delete, async (context) => {
        if (!isGuid(name)) return { status: 204 };
        const deleted = await context.tessera.roleDefinitions.delete(context.caller.tenantId, name);
        return deleted ? { status: 200, body: roleDefinitionResource(deleted, scope) } : { status: 204 };
      });
    default:
      throw armErrors.methodNotAllowed(method);
  }
}
