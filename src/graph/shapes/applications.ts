import type {
  AppRole,
  Application,
  KeyCredential,
  PasswordCredential,
  PermissionScope,
} from '../../directory/model.js';
import type { EntityType } from '../odata/entityType.js';
import type { Json } from '../odata/evaluate.js';
import { graphDateTime } from './dates.js';

/** Graph's appRole: Tessera keeps every field but `origin`, which is always the application. */
export const appRoleJson = (role: AppRole): Json => ({
  allowedMemberTypes: role.allowedMemberTypes,
  description: role.description,
  displayName: role.displayName,
  id: role.id,
  isEnabled: role.isEnabled,
  origin: 'Application',
  value: role.value,
});

/** Graph's permissionScope; the user-consent texts are the admin ones (Tessera keeps one pair). */
export const permissionScopeJson = (scope: PermissionScope): Json => ({
  adminConsentDescription: scope.adminConsentDescription,
  adminConsentDisplayName: scope.adminConsentDisplayName,
  id: scope.id,
  isEnabled: scope.isEnabled,
  type: scope.type,
  userConsentDescription: scope.adminConsentDescription,
  userConsentDisplayName: scope.adminConsentDisplayName,
  value: scope.value,
});

/** The secret is shown once, when created (`secretText` of addPassword); never afterwards. */
export const passwordCredentialJson = (
  credential: PasswordCredential,
  secretText: string | null = null,
): Json => ({
  customKeyIdentifier: null,
  displayName: credential.displayName,
  endDateTime: graphDateTime(credential.endAt),
  hint: credential.hint,
  keyId: credential.keyId,
  secretText,
  startDateTime: graphDateTime(credential.startAt),
});

export const keyCredentialJson = (credential: KeyCredential): Json => ({
  customKeyIdentifier: credential.thumbprintSha1,
  displayName: credential.displayName,
  endDateTime: graphDateTime(credential.endAt),
  key: null,
  keyId: credential.keyId,
  startDateTime: graphDateTime(credential.startAt),
  type: 'AsymmetricX509Cert',
  usage: 'Verify',
});

export const applicationType: EntityType = {
  name: 'microsoft.graph.application',
  properties: {
    id: 'string',
    deletedDateTime: 'dateTime',
    appId: 'string',
    applicationTemplateId: 'string',
    createdDateTime: 'dateTime',
    description: 'string',
    displayName: 'string',
    groupMembershipClaims: 'string',
    identifierUris: 'collection',
    isDeviceOnlyAuthSupported: 'boolean',
    isFallbackPublicClient: 'boolean',
    notes: 'string',
    publisherDomain: 'string',
    signInAudience: 'string',
    tags: 'collection',
    tokenEncryptionKeyId: 'string',
    addIns: 'collection',
    api: 'complex',
    appRoles: 'collection',
    info: 'complex',
    keyCredentials: 'collection',
    optionalClaims: 'complex',
    parentalControlSettings: 'complex',
    passwordCredentials: 'collection',
    publicClient: 'complex',
    requiredResourceAccess: 'collection',
    spa: 'complex',
    web: 'complex',
  },
};

export interface ApplicationCredentials {
  passwords: PasswordCredential[];
  certificates: KeyCredential[];
}

export function applicationJson(
  app: Application,
  publisherDomain: string,
  credentials: ApplicationCredentials,
): Json {
  return {
    id: app.objectId,
    deletedDateTime: null,
    appId: app.appId,
    applicationTemplateId: null,
    createdDateTime: graphDateTime(app.createdAt),
    description: null,
    displayName: app.displayName,
    groupMembershipClaims: null,
    identifierUris: app.identifierUris,
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: app.isFallbackPublicClient,
    notes: null,
    publisherDomain,
    signInAudience: app.signInAudience,
    tags: [],
    tokenEncryptionKeyId: null,
    addIns: [],
    api: {
      acceptMappedClaims: null,
      knownClientApplications: [],
      requestedAccessTokenVersion: app.accessTokenVersion,
      oauth2PermissionScopes: app.oauth2PermissionScopes.map(permissionScopeJson),
      preAuthorizedApplications: [],
    },
    appRoles: app.appRoles.map(appRoleJson),
    info: {
      logoUrl: null,
      marketingUrl: null,
      privacyStatementUrl: null,
      supportUrl: null,
      termsOfServiceUrl: null,
    },
    keyCredentials: credentials.certificates.map(keyCredentialJson),
    optionalClaims: null,
    parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' },
    passwordCredentials: credentials.passwords.map((p) => passwordCredentialJson(p)),
    publicClient: { redirectUris: app.publicClientRedirectUris },
    requiredResourceAccess: [],
    spa: { redirectUris: app.spaRedirectUris },
    web: {
      homePageUrl: null,
      logoutUrl: null,
      redirectUris: app.webRedirectUris,
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
    },
  };
}
