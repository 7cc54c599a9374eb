export type SignInAudience =
  'AzureADMyOrg' | 'AzureADMultipleOrgs' | 'AzureADandPersonalMicrosoftAccount' | 'PersonalMicrosoftAccount';

export const signInAudiences: readonly SignInAudience[] = [
  'AzureADMyOrg',
  'AzureADMultipleOrgs',
  'AzureADandPersonalMicrosoftAccount',
  'PersonalMicrosoftAccount',
];

export interface Tenant {
  id: string;
  kind: 'customer' | 'microsoft';
  domain: string;
  displayName: string;
  createdAt: number;
}

/** Graph's appRole resource. */
export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: Array<'Application' | 'User'>;
  isEnabled: boolean;
}

/** Graph's permissionScope resource: a delegated permission, surfaced in `scp`. */
export interface PermissionScope {
  id: string;
  value: string;
  type: 'User' | 'Admin';
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  isEnabled: boolean;
}

export interface Application {
  objectId: string;
  tenantId: string;
  appId: string;
  displayName: string;
  signInAudience: SignInAudience;
  identifierUris: string[];
  appRoles: AppRole[];
  oauth2PermissionScopes: PermissionScope[];
  /** null or 1 → v1.0 access tokens, 2 → v2.0, as api.requestedAccessTokenVersion. */
  accessTokenVersion: 1 | 2 | null;
  isFallbackPublicClient: boolean;
  publicClientRedirectUris: string[];
  webRedirectUris: string[];
  /** Graph's `spa.redirectUris`: browser apps that redeem codes cross-origin, with PKCE. */
  spaRedirectUris: string[];
  createdAt: number;
}

export interface PasswordCredential {
  keyId: string;
  displayName: string | null;
  hint: string;
  startAt: number;
  endAt: number;
}

export interface KeyCredential {
  keyId: string;
  displayName: string | null;
  thumbprintSha1: string;
  thumbprintSha256: string;
  certificatePem: string;
  startAt: number;
  endAt: number;
}

export interface ServicePrincipal {
  objectId: string;
  tenantId: string;
  appId: string;
  appOwnerTenantId: string;
  displayName: string;
  accountEnabled: boolean;
  createdAt: number;
}

export interface AppRoleAssignment {
  id: string;
  principalId: string;
  principalType: 'ServicePrincipal' | 'User' | 'Group';
  resourceId: string;
  appRoleId: string;
  createdAt: number;
}

/** A person who signs in: Graph's user resource, as far as Tessera keeps it. */
export interface User {
  objectId: string;
  tenantId: string;
  userPrincipalName: string;
  displayName: string;
  mailNickname: string;
  givenName: string | null;
  surname: string | null;
  accountEnabled: boolean;
  forceChangePasswordNextSignIn: boolean;
  /** Moves when the password changes or sessions are revoked; refresh tokens issued before die. */
  credentialVersion: number;
  createdAt: number;
}
