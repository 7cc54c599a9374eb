import type { Directory } from '../directory/directory.js';
import type { TenantSegment } from './context.js';
import { aadsts } from './errors.js';
import { parseTokenForm } from './formBody.js';

const META = new Set(['common', 'organizations', 'consumers']);

export async function resolveTenantSegment(directory: Directory, segment: string): Promise<TenantSegment> {
  const lower = segment.toLowerCase();
  if (META.has(lower))
    return { kind: 'meta', name: lower as 'common' | 'organizations' | 'consumers', segment };
  const tenant = await directory.tenants.find(lower);
  if (!tenant) throw aadsts.tenantNotFound(segment);
  return { kind: 'tenant', tenant, segment };
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
