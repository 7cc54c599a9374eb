import type { Application, ServicePrincipal } from '../../directory/model.js';
import type { EntityType } from '../odata/entityType.js';
import type { Json } from '../odata/evaluate.js';
import { appRoleJson, permissionScopeJson } from './applications.js';

export const servicePrincipalType: EntityType = {
  name: 'microsoft.graph.servicePrincipal',
  properties: {
    id: 'string',
    deletedDateTime: 'dateTime',
    accountEnabled: 'boolean',
    alternativeNames: 'collection',
    appDisplayName: 'string',
    appDescription: 'string',
    appId: 'string',
    applicationTemplateId: 'string',
    appOwnerOrganizationId: 'string',
    appRoleAssignmentRequired: 'boolean',
    description: 'string',
    displayName: 'string',
    homepage: 'string',
    loginUrl: 'string',
    logoutUrl: 'string',
    notes: 'string',
    notificationEmailAddresses: 'collection',
    preferredSingleSignOnMode: 'string',
    preferredTokenSigningKeyThumbprint: 'string',
    replyUrls: 'collection',
    servicePrincipalNames: 'collection',
    servicePrincipalType: 'string',
    signInAudience: 'string',
    tags: 'collection',
    tokenEncryptionKeyId: 'string',
    addIns: 'collection',
    appRoles: 'collection',
    info: 'complex',
    keyCredentials: 'collection',
    oauth2PermissionScopes: 'collection',
    passwordCredentials: 'collection',
    resourceSpecificApplicationPermissions: 'collection',
    verifiedPublisher: 'complex',
  },
};

/**
 * App roles, scopes and reply URLs are the application's, as Graph copies them onto its
 * principals; `servicePrincipalNames` are the names the tenant resolves the principal by.
 */
export function servicePrincipalJson(
  sp: ServicePrincipal,
  app: Application | undefined,
  names: readonly string[],
): Json {
  return {
    id: sp.objectId,
    deletedDateTime: null,
    accountEnabled: sp.accountEnabled,
    alternativeNames: [],
    appDisplayName: app?.displayName ?? sp.displayName,
    appDescription: null,
    appId: sp.appId,
    applicationTemplateId: null,
    appOwnerOrganizationId: sp.appOwnerTenantId,
    appRoleAssignmentRequired: false,
    description: null,
    displayName: sp.displayName,
    homepage: null,
    loginUrl: null,
    logoutUrl: null,
    notes: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    replyUrls: [
      ...(app?.webRedirectUris ?? []),
      ...(app?.spaRedirectUris ?? []),
      ...(app?.publicClientRedirectUris ?? []),
    ],
    servicePrincipalNames: names,
    // Only managed identities have a service principal with no application behind it.
    servicePrincipalType: app ? 'Application' : 'ManagedIdentity',
    signInAudience: app?.signInAudience ?? 'AzureADMyOrg',
    tags: [],
    tokenEncryptionKeyId: null,
    addIns: [],
    appRoles: (app?.appRoles ?? []).map(appRoleJson),
    info: {
      logoUrl: null,
      marketingUrl: null,
      privacyStatementUrl: null,
      supportUrl: null,
      termsOfServiceUrl: null,
    },
    keyCredentials: [],
    oauth2PermissionScopes: (app?.oauth2PermissionScopes ?? []).map(permissionScopeJson),
    passwordCredentials: [],
    resourceSpecificApplicationPermissions: [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
  };
}
