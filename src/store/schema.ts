import type { ColumnType, Generated } from 'kysely';

// Timestamps are epoch seconds in BIGINT columns, booleans 0/1 and lists JSON text,
// so one schema serves both SQLite and PostgreSQL.

export interface TenantTable {
  id: string;
  /** 'customer' for tenants people sign in to; 'microsoft' for the home of first-party apps. */
  kind: string;
  domain: string;
  display_name: string;
  created_at: number;
}

export interface ApplicationTable {
  object_id: string;
  tenant_id: string;
  app_id: string;
  display_name: string;
  sign_in_audience: string;
  identifier_uris: string;
  app_roles: string;
  oauth2_permission_scopes: string;
  access_token_version: number | null;
  is_fallback_public_client: number;
  public_client_redirect_uris: string;
  web_redirect_uris: string;
  /** JSON list of Graph's `spa.redirectUris` (migration 0021). */
  spa_redirect_uris: string;
  created_at: number;
}

export interface PasswordCredentialTable {
  key_id: string;
  application_object_id: string;
  display_name: string | null;
  hint: string;
  secret_hash: string;
  start_at: number;
  end_at: number;
}

export interface KeyCredentialTable {
  key_id: string;
  application_object_id: string;
  display_name: string | null;
  thumbprint_sha1: string;
  thumbprint_sha256: string;
  certificate_pem: string;
  start_at: number;
  end_at: number;
}

export interface ServicePrincipalTable {
  object_id: string;
  tenant_id: string;
  app_id: string;
  app_owner_tenant_id: string;
  display_name: string;
  account_enabled: number;
  created_at: number;
}

export interface ServicePrincipalNameTable {
  tenant_id: string;
  /** Lower-cased, trailing slashes removed: the lookup key. */
  name_lower: string;
  /** As registered: what a v1 token's `aud` carries when this name was requested. */
  name: string;
  service_principal_object_id: string;
}

export interface AppRoleAssignmentTable {
  id: string;
  tenant_id: string;
  principal_id: string;
  principal_type: string;
  resource_id: string;
  app_role_id: string;
  created_at: number;
}

export interface SigningKeyTable {
  kid: string;
  private_key_pem: string;
  certificate_pem: string;
  created_at: number;
  retired_at: number | null;
}

export interface SubscriptionTable {
  id: string;
  tenant_id: string;
  display_name: string;
  state: string;
  created_at: number;
}

export interface ResourceGroupTable {
  subscription_id: string;
  name: string;
  name_lower: string;
  location: string;
  tags: string;
  created_at: number;
}

/** A nullable column an insert may leave out (added after rows were already being written). */
type NullableText = ColumnType<string | null, string | null | undefined, string | null>;

export interface RoleAssignmentTable {
  name: string;
  scope: string;
  scope_lower: string;
  role_definition_id: string;
  principal_id: string;
  principal_type: string;
  description: string | null;
  created_on: number;
  updated_on: number;
  created_by: string | null;
  /** ABAC condition (version 2.0) and its version; null for none (migration 0020). */
  condition: NullableText;
  condition_version: NullableText;
  updated_by: NullableText;
}

export interface GroupTable {
  object_id: string;
  tenant_id: string;
  display_name: string;
  mail_nickname: string;
  description: string | null;
  created_at: number;
}

export interface GroupMemberTable {
  group_id: string;
  member_id: string;
  member_type: string;
}

export interface RoleDefinitionTable {
  name: string;
  tenant_id: string;
  role_name: string;
  role_name_lower: string;
  description: string | null;
  /** JSON: [{actions, notActions, dataActions, notDataActions}] */
  permissions: string;
  /** JSON: string[] */
  assignable_scopes: string;
  created_on: number;
  updated_on: number;
  created_by: string | null;
}

export interface DenyAssignmentTable {
  name: string;
  tenant_id: string;
  deny_assignment_name: string;
  description: string | null;
  scope: string;
  scope_lower: string;
  /** JSON: [{actions, notActions, dataActions, notDataActions}] */
  permissions: string;
  /** JSON: [{id, type}] */
  principals: string;
  exclude_principals: string;
  do_not_apply_to_child_scopes: number;
  created_on: number;
}

export interface ChangeCounterTable {
  name: string;
  version: number;
}

/** Written by triggers only (migration 0014): which indexed row changed, in commit order. */
export interface AccessChangeTable {
  seq: Generated<number>;
  entity: 'assignment' | 'definition' | 'deny' | 'membership';
  entity_key: string;
}

export interface ConfigurationStoreTable {
  name: string;
  name_lower: string;
  subscription_id: string;
  resource_group: string;
  resource_group_lower: string;
  location: string;
  /** free | developer | standard | premium */
  sku: string;
  /** JSON: Record<string, string> */
  tags: string;
  disable_local_auth: number;
  public_network_access: string | null;
  soft_delete_retention_days: number;
  enable_purge_protection: number;
  created_at: number;
  /** The loopback port that makes the store an origin of its own (null until one is given). */
  port: number | null;
}

export interface ConfigurationStoreKeyTable {
  /** The HMAC credential id (`Aa1b-l0-s0:…`). */
  id: string;
  store_name_lower: string;
  /** 0 Primary, 1 Secondary, 2 Primary Read Only, 3 Secondary Read Only. */
  slot: number;
  name: string;
  /** base64 of 32 random bytes: an HMAC key, so kept retrievable. */
  secret: string;
  read_only: number;
  last_modified: number;
}

export interface MediaServiceTable {
  name: string;
  subscription_id: string;
  resource_group: string;
  resource_group_lower: string;
  location: string;
  tags: string;
  media_service_id: string;
  /** JSON: [{id, type}] as given at creation. */
  storage_accounts: string;
  created_at: number;
  /** Hex, 32 random bytes: signs the account's SAS locators (Azure's storage account key). */
  storage_key: string;
  /** The loopback port that makes the account an origin of its own (null until one is given). */
  port: number | null;
}

/** A service's own port (Microsoft Graph's origin). */
export interface ServicePortTable {
  service: string;
  port: number;
}

export interface DirectoryRoleMemberTable {
  tenant_id: string;
  /** Entra's role template id, e.g. 62e90394-… for Global Administrator. */
  role_template_id: string;
  principal_id: string;
  created_at: number;
}

export interface MediaEntityTable {
  seq: Generated<number>;
  account: string;
  entity_set: string;
  id: string;
  /** The entity as JSON, shaped by the EDM model. */
  body: string;
}

export interface MediaLinkTable {
  seq: Generated<number>;
  account: string;
  source_set: string;
  source_id: string;
  navigation: string;
  target_set: string;
  target_id: string;
}

export interface UserTable {
  object_id: string;
  tenant_id: string;
  user_principal_name: string;
  upn_lower: string;
  display_name: string;
  mail_nickname: string;
  given_name: string | null;
  surname: string | null;
  /** PHC string of an argon2id hash. */
  password_hash: string;
  force_change_password: number;
  account_enabled: number;
  credential_version: number;
  created_at: number;
}

export interface SignInLockoutTable {
  user_id: string;
  failed_count: number;
  /** JSON: string[] of keyed hashes of recent wrong passwords. */
  recent_failures: string;
  lockouts: number;
  locked_until: number;
  updated_at: number;
}

/** A password check in flight, counted against smart lockout until it settles or expires. */
export interface SignInReservationTable {
  id: string;
  user_id: string;
  /** Seconds since the epoch. */
  expires_at: number;
}

export interface SignInLogTable {
  id: string;
  tenant_id: string;
  at_ms: number;
  user_id: string | null;
  user_principal_name: string;
  user_display_name: string | null;
  app_id: string | null;
  app_display_name: string | null;
  resource_id: string | null;
  resource_display_name: string | null;
  ip_address: string;
  correlation_id: string;
  flow: string;
  is_interactive: number;
  /** 0 for success, else the AADSTS code. */
  error_code: number;
  failure_reason: string | null;
}

export interface RefreshTokenFamilyTable {
  id: string;
  tenant_id: string;
  user_id: string;
  client_id: string;
  auth_time: number;
  expires_at: number;
  credential_version: number;
  /** Space-separated authentication methods of the sign-in (`pwd`). */
  amr: string;
  revoked_at: number | null;
  revoked_reason: string | null;
  /** The browser session whose sign-in started the family; logging out revokes it. */
  session_id: string | null;
  /** SHA-256 (hex) of the family's one live refresh token; '' when it has none. */
  token_hash: string;
  /** How many times the family has rotated: the generation its live token carries. */
  generation: number;
  /** The live token's scope string: the default of a refresh that names none. */
  scope: string;
  /** When the live token was issued: its inactivity clock. */
  issued_at: number;
  /** The browser origin of a SPA sign-in, whose tokens only it may redeem (migration 0021); else null. */
  spa_origin: string | null;
}

/** Refresh tokens issued before migration 0008, looked up by hash only; never written now. */
export interface RefreshTokenTable {
  token_hash: string;
  family_id: string;
  /** The scope string the token was issued for: the default of a refresh that names none. */
  scope: string;
  issued_at: number;
  used_at: number | null;
}

export interface AuthoritySecretTable {
  name: string;
  value: string;
}

export interface SignInSessionTable {
  id: string;
  token_hash: string;
  tenant_id: string;
  user_id: string;
  auth_time: number;
  amr: string;
  credential_version: number;
  expires_at: number;
  ended_at: number | null;
}

export interface PendingSignInTable {
  id_hash: string;
  browser_hash: string;
  kind: string;
  stage: string;
  /** JSON: the validated authorization request, or the device code being approved. */
  request: string;
  user_id: string | null;
  tenant_id: string | null;
  session_id: string | null;
  auth_time: number | null;
  amr: string | null;
  signed_in_by: string | null;
  expires_at: number;
  completed_at: number | null;
}

export interface AuthorizationCodeTable {
  code_hash: string;
  tenant_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  scope: string;
  nonce: string | null;
  user_id: string;
  session_id: string | null;
  auth_time: number;
  amr: string;
  expires_at: number;
  redeemed_at: number | null;
  family_id: string | null;
}

export interface DeviceCodeTable {
  device_code_hash: string;
  user_code_hash: string;
  tenant_id: string | null;
  tenant_segment: string;
  client_id: string;
  scope: string;
  created_at: number;
  expires_at: number;
  status: string;
  user_id: string | null;
  approved_tenant_id: string | null;
  session_id: string | null;
  auth_time: number | null;
  amr: string | null;
  redeemed_at: number | null;
}

/** A user-assigned managed identity: an ARM resource of a group, and a service principal. */
export interface UserAssignedIdentityTable {
  subscription_id: string;
  resource_group: string;
  resource_group_lower: string;
  name: string;
  name_lower: string;
  location: string;
  /** JSON: Record<string, string> */
  tags: string;
  tenant_id: string;
  principal_id: string;
  client_id: string;
  created_at: number;
}

/** The stand-in for a VM or an App Service: the identities it holds and how it hands them out. */
export interface IdentityHostTable {
  name: string;
  name_lower: string;
  tenant_id: string;
  /** SHA-256 (hex) of the App Service secret (IDENTITY_HEADER). */
  secret_hash: string;
  /** The loopback port of the host's IMDS. */
  imds_port: number;
  system_principal_id: string | null;
  system_client_id: string | null;
  created_at: number;
}

export interface IdentityHostIdentityTable {
  host_name_lower: string;
  principal_id: string;
}

export interface FederatedIdentityCredentialTable {
  id: string;
  application_object_id: string;
  name: string;
  name_lower: string;
  issuer: string;
  subject: string;
  /** JSON: string[] */
  audiences: string;
  description: string | null;
  created_at: number;
}

export interface Database {
  tenants: TenantTable;
  applications: ApplicationTable;
  password_credentials: PasswordCredentialTable;
  key_credentials: KeyCredentialTable;
  service_principals: ServicePrincipalTable;
  service_principal_names: ServicePrincipalNameTable;
  app_role_assignments: AppRoleAssignmentTable;
  signing_keys: SigningKeyTable;
  subscriptions: SubscriptionTable;
  resource_groups: ResourceGroupTable;
  role_assignments: RoleAssignmentTable;
  groups: GroupTable;
  group_members: GroupMemberTable;
  role_definitions: RoleDefinitionTable;
  deny_assignments: DenyAssignmentTable;
  change_counters: ChangeCounterTable;
  access_changes: AccessChangeTable;
  configuration_stores: ConfigurationStoreTable;
  configuration_store_keys: ConfigurationStoreKeyTable;
  media_services: MediaServiceTable;
  media_entities: MediaEntityTable;
  media_links: MediaLinkTable;
  users: UserTable;
  sign_in_lockouts: SignInLockoutTable;
  sign_in_reservations: SignInReservationTable;
  sign_in_log: SignInLogTable;
  refresh_token_families: RefreshTokenFamilyTable;
  refresh_tokens: RefreshTokenTable;
  authority_secrets: AuthoritySecretTable;
  sign_in_sessions: SignInSessionTable;
  pending_sign_ins: PendingSignInTable;
  authorization_codes: AuthorizationCodeTable;
  device_codes: DeviceCodeTable;
  directory_role_members: DirectoryRoleMemberTable;
  service_ports: ServicePortTable;
  user_assigned_identities: UserAssignedIdentityTable;
  identity_hosts: IdentityHostTable;
  identity_host_identities: IdentityHostIdentityTable;
  federated_identity_credentials: FederatedIdentityCredentialTable;
}
