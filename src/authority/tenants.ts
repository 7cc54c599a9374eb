import type { Directory } from '../directory/directory.js';
import type { Tenant } from '../directory/model.js';
import { DEFAULT_TENANT_DOMAIN } from '../tessera.js';
import type { TenantSegment } from './context.js';
import { aadsts } from './errors.js';
import { parseTokenForm } from './formBody.js';

const META = new Set(['common', 'organizations', 'consumers']);

/**
 * `/adfs/…`, the ADFS form of an authority. An authority ending in `/adfs` is the one way to make
 * az 2.45 and MSAL Python skip instance discovery (a call to login.microsoftonline.com), and both
 * then drop the tenant: so `adfs` acts for the default tenant, the one `tessera` commands use.
 */
export const ADFS_SEGMENT = 'adfs';

export async function resolveTenantSegment(directory: Directory, segment: string): Promise<TenantSegment> {
  const lower = segment.toLowerCase();
  if (META.has(lower))
    return { kind: 'meta', name: lower as 'common' | 'organizations' | 'consumers', segment };
  const tenant =
    lower === ADFS_SEGMENT ? await defaultTenant(directory) : await directory.tenants.find(lower);
  if (!tenant) throw aadsts.tenantNotFound(segment);
  return { kind: 'tenant', tenant, segment };
}

export const isAdfsSegment = (tenant: TenantSegment): tenant is TenantSegment & { kind: 'tenant' } =>
  tenant.kind === 'tenant' && tenant.segment.toLowerCase() === ADFS_SEGMENT;

/**
 * `Tessera.defaultTenant()` read-only: the bootstrap tenant while it exists, else the first
 * customer tenant; none on a directory without tenants (the authority never creates one).
 */
export async function defaultTenant(directory: Directory): Promise<Tenant | undefined> {
  return (await directory.tenants.find(DEFAULT_TENANT_DOMAIN)) ?? (await directory.tenants.list())[0];
}

/**
 * What the token and device-authorization endpoints read first, in this order: the form (so a
 * malformed body is the first error) and the tenant the path names.
 */
export async function readTenantForm(
  directory: Directory,
  request: { headers: { 'content-type'?: string }; body: unknown; params: { tenant: string } },
): Promise<{ params: Map<string, string>; tenant: TenantSegment }> {
  const params = parseTokenForm(
    request.headers['content-type'],
    typeof request.body === 'string' ? request.body : '',
  );
  return { params, tenant: await resolveTenantSegment(directory, request.params.tenant) };
}
