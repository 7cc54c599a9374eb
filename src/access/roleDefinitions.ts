/**
 * Azure's built-in role definitions that Tessera's services check against, with Microsoft's
 * GUIDs, names and permissions, so scripts written for Azure (`--role Contributor`, a role
 * definition id copied from the docs) work unchanged.
 */

export interface RolePermission {
  actions: readonly string[];
  notActions: readonly string[];
  dataActions: readonly string[];
  notDataActions: readonly string[];
}

export interface RoleDefinition {
  /** The GUID: ARM's `name`, and the last segment of the definition's id. */
  name: string;
  roleName: string;
  description: string;
  roleType: 'BuiltInRole' | 'CustomRole';
  assignableScopes: readonly string[];
  permissions: readonly RolePermission[];
}

const builtIn = (
  name: string,
  roleName: string,
  description: string,
  permission: Partial<RolePermission>,
): RoleDefinition => ({
  name,
  roleName,
  description,
  roleType: 'BuiltInRole',
  assignableScopes: ['/'],
  permissions: [
    {
      actions: permission.actions ?? [],
      notActions: permission.notActions ?? [],
      dataActions: permission.dataActions ?? [],
      notDataActions: permission.notDataActions ?? [],
    },
  ],
});

export const builtInRoleDefinitions: readonly RoleDefinition[] = [
  builtIn(
    '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    'Owner',
    'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
    { actions: ['*'] },
  ),
  builtIn(
    'b24988ac-6180-42a0-ab88-20f7382dd24c',
    'Contributor',
    'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, ' +
      'manage assignments in Azure Blueprints, or share image galleries.',
    {
      actions: ['*'],
      notActions: [
        'Microsoft.Authorization/*/Delete',
        'Microsoft.Authorization/*/Write',
        'Microsoft.Authorization/elevateAccess/Action',
        'Microsoft.Blueprint/blueprintAssignments/write',
        'Microsoft.Blueprint/blueprintAssignments/delete',
        'Microsoft.Compute/galleries/share/action',
        'Microsoft.Purview/consents/write',
        'Microsoft.Purview/consents/delete',
        'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
        'Microsoft.Subscription/cancel/action',
        'Microsoft.Subscription/enable/action',
      ],
    },
  ),
  builtIn(
    'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    'Reader',
    'View all resources, but does not allow you to make any changes.',
    { actions: ['*/read'] },
  ),
  builtIn(
    '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    'User Access Administrator',
    'Lets you manage user access to Azure resources.',
    { actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'] },
  ),
  builtIn(
    'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
    'Role Based Access Control Administrator',
    'Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you ' +
      'to manage access using other ways, such as Azure Policy.',
    {
      actions: [
        'Microsoft.Authorization/roleAssignments/write',
        'Microsoft.Authorization/roleAssignments/delete',
        '*/read',
        'Microsoft.Support/*',
      ],
    },
  ),
  builtIn(
    '5ae67dd6-50cb-40e7-96ff-dc2bfa4b606b',
    'App Configuration Data Owner',
    'Allows full access to App Configuration data.',
    {
      dataActions: [
        'Microsoft.AppConfiguration/configurationStores/*/read',
        'Microsoft.AppConfiguration/configurationStores/*/write',
        'Microsoft.AppConfiguration/configurationStores/*/delete',
        'Microsoft.AppConfiguration/configurationStores/*/action',
      ],
      notDataActions: ['Microsoft.AppConfiguration/configurationStores/useSasAuth/action'],
    },
  ),
  builtIn(
    '516239f1-63e1-4d78-a4de-a74fb236a071',
    'App Configuration Data Reader',
    'Allows read access to App Configuration data.',
    { dataActions: ['Microsoft.AppConfiguration/configurationStores/*/read'] },
  ),
];

// ARM names a definition at tenant scope or under a subscription; both end in the GUID.
const DEFINITION_ID =
  /^(?:\/subscriptions\/[^/]+)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)\/?$/i;

/** By role name (case-insensitive, as az's `--role`), by GUID, or by full role definition id. */
export function findRoleDefinition(nameOrId: string): RoleDefinition | undefined {
  const key = (DEFINITION_ID.exec(nameOrId.trim())?.[1] ?? nameOrId.trim()).toLowerCase();
  return builtInRoleDefinitions.find((role) => role.name === key || role.roleName.toLowerCase() === key);
}
