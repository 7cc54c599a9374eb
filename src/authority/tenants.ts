import type { Directory } from '../directory/directory.js';
import type { TenantSegment } from './context.js';
import { aadsts } from './errors.js';

const META = new Set(['common', 'organizations', 'consumers']);

export async function resolveTenantSegment(directory: Directory, segment: string): Promise<TenantSegment> {
  const lower = segment.toLowerCase();
  if (META.has(lower))
    return { kind: 'meta', name: lower as 'common' | 'organizations' | 'consumers', segment };
  const tenant = await directory.tenants.find(lower);
  if (!tenant) throw aadsts.tenantNotFound(segment);
  return { kind: 'tenant', tenant, segment };
}
