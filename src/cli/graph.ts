/** Microsoft Graph's JSON for directory objects, as `az ad …` prints them. */
import type {
  AppRoleAssignment,
  Application,
  KeyCredential,
  PasswordCredential,
  ServicePrincipal,
} from '../directory/model.js';

/** Graph's timestamps: ISO 8601 in UTC, whole seconds. */
export const graphDateTime = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface ApplicationCredentials {
  passwords: PasswordCredential[];
  certificates: KeyCredential[];
}

// The secret is shown once, when created; Graph never returns it afterwards.
const passwordCredential = (credential: PasswordCredential) => ({
  customKeyIdentifier: null,
  displayName: credential.displayName,
  endDateTime: graphDateTime(credential.endAt),
  hint: credential.hint,
  keyId: credential.keyId,
  secretText: null,
  startDateTime: graphDateTime(credential.startAt),
});

const keyCredential = (credential: KeyCredential) => ({
  customKeyIdentifier: credential.thumbprintSha1,
  displayName: credential.displayName,
  endDateTime: graphDateTime(credential.endAt),
  key: null,
  keyId: credential.keyId,
  startDateTime: graphDateTime(credential.startAt),
  type: 'AsymmetricX509Cert',
  usage: 'Verify',
});

export function graphApplication(
  app: Application,
  publisherDomain: string,
  credentials: ApplicationCredentials,
) {
  return {
    id: app.objectId,
    appId: app.appId,
    displayName: app.displayName,
    signInAudience: app.signInAudience,
    identifierUris: app.identifierUris,
    appRoles: app.appRoles,
    api: {
      requestedAccessTokenVersion: app.accessTokenVersion,
      oauth2PermissionScopes: app.oauth2PermissionScopes,
    },
    publicClient: { redirectUris: app.publicClientRedirectUris },
    web: { redirectUris: app.webRedirectUris },
    spa: { redirectUris: app.spaRedirectUris },
    isFallbackPublicClient: app.isFallbackPublicClient,
    passwordCredentials: credentials.passwords.map(passwordCredential),
    keyCredentials: credentials.certificates.map(keyCredential),
    createdDateTime: graphDateTime(app.createdAt),
    publisherDomain,
  };
}

/** App roles and scopes come from the application, as Graph copies them onto the principal. */
export function graphServicePrincipal(sp: ServicePrincipal, app: Application | undefined, names: string[]) {
  return {
    id: sp.objectId,
    appId: sp.appId,
    appDisplayName: app?.displayName ?? sp.displayName,
    displayName: sp.displayName,
    appOwnerOrganizationId: sp.appOwnerTenantId,
    servicePrincipalNames: names,
    servicePrincipalType: 'Application',
    accountEnabled: sp.accountEnabled,
    appRoles: app?.appRoles ?? [],
    oauth2PermissionScopes: app?.oauth2PermissionScopes ?? [],
  };
}

export function graphAppRoleAssignment(
  assignment: AppRoleAssignment,
  principal: ServicePrincipal,
  resource: ServicePrincipal,
) {
  return {
    id: assignment.id,
    appRoleId: assignment.appRoleId,
    createdDateTime: graphDateTime(assignment.createdAt),
    deletedDateTime: null,
    principalDisplayName: principal.displayName,
    principalId: assignment.principalId,
    principalType: assignment.principalType,
    resourceDisplayName: resource.displayName,
    resourceId: assignment.resourceId,
  };
}
