/** Microsoft's own tenant, which owns the first-party applications every directory has. */
const MICROSOFT_SERVICES_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

/** What people call a service principal's type. */
export const typeLabel = (type: string): string =>
  type === 'ManagedIdentity' ? 'Managed identity' : type === 'Application' ? 'Application' : type;

/** Whose application it is: this directory's, Microsoft's, or another directory's. */
export function ownerLabel(ownerTenantId: string, tenantId: string): string {
  if (!ownerTenantId) return '';
  if (ownerTenantId === tenantId) return 'This directory';
  if (ownerTenantId === MICROSOFT_SERVICES_TENANT) return 'Microsoft';
  return `Directory ${ownerTenantId}`;
}
