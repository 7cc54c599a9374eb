import type { ApplicationInput } from './applications.js';

/** Home tenant of Microsoft's first-party applications (the "Microsoft Services" tenant). */
export const MICROSOFT_SERVICES_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const MICROSOFT_SERVICES_DOMAIN = 'microsoftservices.onmicrosoft.com';

/** The app ids of the first-party resources Tessera serves, for code that names one of them. */
export const FIRST_PARTY_APP_IDS = {
  management: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
  mediaServices: '374b2a64-3b6b-436b-934c-b820eacca870',
  appConfiguration: '35ffadb3-7fc1-497e-b61b-381d28e744cc',
  graph: '00000003-0000-0000-c000-000000000000',
} as const;

const userImpersonation = (id: string, resource: string) => ({
  id,
  value: 'user_impersonation',
  type: 'User' as const,
  adminConsentDisplayName: `Access ${resource}`,
  adminConsentDescription: `Allow the application to access ${resource} on behalf of the signed-in user.`,
  isEnabled: true,
});

/**
 * The resource applications whose service principals exist in every tenant, with Microsoft's
 * app ids and identifier URIs. All of them accept v1.0 access tokens, as in Azure.
 */
export const firstPartyResources: ReadonlyArray<ApplicationInput & { appId: string }> = [
  {
    appId: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
    displayName: 'Windows Azure Service Management API',
    signInAudience: 'AzureADMultipleOrgs',
    identifierUris: ['https://management.azure.com/', 'https://management.core.windows.net/'],
    oauth2PermissionScopes: [
      userImpersonation('41094075-9dad-400e-a0bd-54e686782033', 'Azure Resource Manager'),
    ],
  },
  {
    appId: '374b2a64-3b6b-436b-934c-b820eacca870',
    displayName: 'Azure Media Services',
    signInAudience: 'AzureADMultipleOrgs',
    identifierUris: ['https://rest.media.azure.net'],
    oauth2PermissionScopes: [
      userImpersonation('f9b3bf4c-9b56-4d4b-8b0f-6a2c9d0f5e11', 'Azure Media Services'),
    ],
  },
  {
    appId: '35ffadb3-7fc1-497e-b61b-381d28e744cc',
    displayName: 'Azure App Configuration',
    signInAudience: 'AzureADMultipleOrgs',
    // The wildcard hosts let a token name one store (`https://<store>.azconfig.io`), which the
    // data plane then matches against its Host header.
    identifierUris: [
      'https://appconfig.azure.com',
      'https://azconfig.io',
      'https://*.azconfig.io',
      'https://*.azconfig.localhost',
    ],
    oauth2PermissionScopes: [
      userImpersonation('8d17f7f7-1b61-4a3c-9c3e-2f8e4f3a1c52', 'Azure App Configuration'),
    ],
  },
  {
    appId: '00000003-0000-0000-c000-000000000000',
    displayName: 'Microsoft Graph',
    signInAudience: 'AzureADMultipleOrgs',
    identifierUris: ['https://graph.microsoft.com'],
    // The permissions Tessera's Graph (src/graph) enforces, with Microsoft's ids from the Microsoft
    // Graph permissions reference: application permissions are app roles (granted by admin
    // consent, carried in `roles`), delegated ones are scopes (carried in `scp`). One line per permission.
    // prettier-ignore
    appRoles: (
      [
        ['9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', 'Application.Read.All', 'Read all applications', 'read all applications and service principals'],
        ['1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', 'Application.ReadWrite.All', 'Read and write all applications', 'create, read, update and delete applications and service principals'],
        ['06b708a9-e830-4db3-a914-8e69da51d44f', 'AppRoleAssignment.ReadWrite.All', 'Manage app permission grants and app role assignments', 'grant application permissions to any API, Microsoft Graph included, and assign apps'],
        ['b0afded3-3588-46d8-8b3d-9842eff778da', 'AuditLog.Read.All', 'Read all audit log data', "read and query your organization's audit log activities, the sign-in log among them"],
        ['7ab1d382-f21e-4acd-a863-ba3e13f7da61', 'Directory.Read.All', 'Read directory data', "read data in your organization's directory, such as users, groups and apps"],
        ['19dbc75e-c2e2-444c-a770-ec69d8559fc7', 'Directory.ReadWrite.All', 'Read and write directory data', "read and write data in your organization's directory, such as users and groups"],
        ['5b567255-7703-4780-807c-7be8301ae99b', 'Group.Read.All', 'Read all groups', 'read group properties and memberships'],
        ['62a82d76-70ea-41e2-9197-370581804d09', 'Group.ReadWrite.All', 'Read and write all groups', 'create, read, update and delete groups and their memberships'],
        ['98830695-27a2-44f7-8c18-0c3ebc9698f6', 'GroupMember.Read.All', 'Read all group memberships', 'read memberships and basic group properties for all groups'],
        ['dbaae8cf-10b5-4b86-a4a1-f871c94c6695', 'GroupMember.ReadWrite.All', 'Read and write all group memberships', 'read and update the memberships of all groups'],
        ['df021288-bdef-4463-88db-98f22de89214', 'User.Read.All', "Read all users' full profiles", 'read user profiles'],
        ['741f803b-c850-494e-b5df-cde7c675a1ca', 'User.ReadWrite.All', "Read and write all users' full profiles", 'read and update user profiles'],
      ] as const
    ).map(([id, value, displayName, what]) => ({
      id,
      value,
      displayName,
      description: `Allows the app to ${what} without a signed-in user.`,
      allowedMemberTypes: ['Application' as const],
      isEnabled: true,
    })),
    // prettier-ignore
    oauth2PermissionScopes: (
      [
        ['e1fe6dd8-ba31-4d61-89e7-88639da4683d', 'User.Read', 'User', 'Sign in and read user profile', 'sign in users and read the profile of signed-in users'],
        ['b340eb25-3456-403f-be2f-af7a0d370277', 'User.ReadBasic.All', 'User', "Read all users' basic profiles", "read a basic set of profile properties of other users in your organization"],
        ['a154be20-db9c-4678-8ab7-66f6cc099a59', 'User.Read.All', 'Admin', "Read all users' full profiles", 'read the full set of profile properties of other users in your organization'],
        ['204e0828-b5ca-4ad8-b9f3-f32a958e7cc4', 'User.ReadWrite.All', 'Admin', "Read and write all users' full profiles", 'read and write the full set of profile properties of users in your organization'],
        ['06da0dbc-49e2-44d2-8312-53f166ab848a', 'Directory.Read.All', 'Admin', 'Read directory data', "read data in your organization's directory, such as users, groups and apps"],
        ['c5366453-9fb0-48a5-a156-24f0c49a4b84', 'Directory.ReadWrite.All', 'Admin', 'Read and write directory data', "read and write data in your organization's directory, such as users and groups"],
        ['0e263e50-5827-48a4-b97c-d940288653c7', 'Directory.AccessAsUser.All', 'Admin', 'Access directory as the signed in user', 'have the same access to information in the directory as the signed-in user'],
        ['c79f8feb-a9db-4090-85f9-90d820caa0eb', 'Application.Read.All', 'Admin', 'Read applications', 'read applications and service principals'],
        ['bdfbf15f-ee85-4955-8675-146e8e5296b5', 'Application.ReadWrite.All', 'Admin', 'Read and write all applications', 'create, read, update and delete applications and service principals'],
        ['84bccea3-f856-4a8a-967b-dbe0a3d53a64', 'AppRoleAssignment.ReadWrite.All', 'Admin', 'Manage app permission grants and app role assignments', 'manage permission grants for application permissions to any API and app role assignments'],
        ['e4c9e354-4dc5-45b8-9e7c-e1393b0b1a20', 'AuditLog.Read.All', 'Admin', 'Read audit log data', "read and query your organization's audit log activities, the sign-in log among them"],
        ['5f8c59db-677d-491f-a6b8-5f174b11ec1d', 'Group.Read.All', 'Admin', 'Read all groups', 'list groups and read their properties and memberships'],
        ['4e46008b-f24c-477d-8fff-7bb4ec7aafe0', 'Group.ReadWrite.All', 'Admin', 'Read and write all groups', 'create groups and read, update and delete all groups and their memberships'],
        ['bc024368-1153-4739-b217-4326f2e966d0', 'GroupMember.Read.All', 'Admin', 'Read group memberships', 'list groups and read basic group properties and memberships'],
        ['f81125ac-d3b7-4573-a3b2-7099cc39df9e', 'GroupMember.ReadWrite.All', 'Admin', 'Read and write group memberships', 'list groups, read basic properties and update the memberships of groups'],
      ] as const
    ).map(([id, value, type, adminConsentDisplayName, what]) => ({
      id,
      value,
      type,
      adminConsentDisplayName,
      adminConsentDescription: `Allows the app to ${what} on behalf of the signed-in user.`,
      isEnabled: true,
    })),
  },
];

/**
 * Microsoft's public client applications that exist in every tenant: native apps and tools that
 * sign people in without a secret. The Media Services native application is the one every
 * Media Services sample uses; the Azure CLI and Azure PowerShell are what `az login` and
 * `Connect-AzAccount` present.
 */
export const firstPartyPublicClients: ReadonlyArray<ApplicationInput & { appId: string }> = [
  {
    appId: 'd476653d-842c-4f52-862d-397463ada5e7',
    displayName: 'Azure Media Services Native Client',
    signInAudience: 'AzureADMultipleOrgs',
    isFallbackPublicClient: true,
    publicClientRedirectUris: ['https://AzureMediaServicesNativeSDK'],
  },
  {
    appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    displayName: 'Microsoft Azure CLI',
    signInAudience: 'AzureADMultipleOrgs',
    isFallbackPublicClient: true,
    publicClientRedirectUris: ['http://localhost'],
  },
  {
    appId: '1950a258-227b-4e31-a9cf-717495945fc2',
    displayName: 'Microsoft Azure PowerShell',
    signInAudience: 'AzureADMultipleOrgs',
    isFallbackPublicClient: true,
    publicClientRedirectUris: ['http://localhost', 'urn:ietf:wg:oauth:2.0:oob'],
  },
  {
    // Tessera's own web console (portal/, served at /portal): a browser app with no secret. Its
    // redirect URI is a path, which the authority matches on each of Tessera's own origins only
    // (authorize/redirectUri.ts), since the host names and port are the deployment's.
    appId: '3f8f840c-fbce-408a-a651-f1a9cf95b4ff',
    displayName: 'Tessera Portal',
    signInAudience: 'AzureADMultipleOrgs',
    isFallbackPublicClient: true,
    publicClientRedirectUris: ['/portal/'],
  },
];

/** Everything `Directory.ensureFirstParty` provisions in each tenant. */
export const firstPartyApplications = [...firstPartyResources, ...firstPartyPublicClients];
