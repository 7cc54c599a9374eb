export const USER_ASSIGNED_IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

/** `Microsoft.ManagedIdentity/userAssignedIdentities`: an ARM resource that is also a service principal. */
export interface UserAssignedIdentity {
  /** The ARM id, the identity's `mi_res_id` / `msi_res_id`. */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  tenantId: string;
  /** The service principal's object id: what RBAC assigns roles to, a token's `oid`. */
  principalId: string;
  /** The service principal's appId: a token's `appid` / `azp`. */
  clientId: string;
  createdAt: number;
}

/** One identity a host can hand out tokens for. */
export interface HeldIdentity {
  kind: 'SystemAssigned' | 'UserAssigned';
  tenantId: string;
  principalId: string;
  clientId: string;
  /** A user-assigned identity's ARM id; null for the system-assigned one. */
  resourceId: string | null;
}

/**
 * The stand-in for a VM or an App Service: the identities it holds (a system-assigned one if
 * asked for, attached user-assigned ones), reached through the App Service protocol (its secret)
 * or its IMDS (a loopback port of its own).
 */
export interface IdentityHost {
  name: string;
  tenantId: string;
  imdsPort: number;
  systemAssigned: HeldIdentity | null;
  userAssigned: HeldIdentity[];
  createdAt: number;
}
