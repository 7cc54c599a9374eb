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
    oauth2PermissionScopes: [
      {
        id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d',
        value: 'User.Read',
        type: 'User',
        adminConsentDisplayName: 'Sign in and read user profile',
        adminConsentDescription:
          'Allows users to sign-in to the app, and allows the app to read the profile of signed-in users.',
        isEnabled: true,
      },
    ],
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
];

/** Everything `Directory.ensureFirstParty` provisions in each tenant. */
export const firstPartyApplications = [...firstPartyResources, ...firstPartyPublicClients];
