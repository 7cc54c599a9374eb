import { isGuid } from '../errors.js';
import type { Store } from '../store/database.js';

export type PrincipalType = 'ServicePrincipal' | 'Group' | 'User';

export interface DirectoryPrincipal {
  objectId: string;
  type: PrincipalType;
  displayName: string;
}

/**
 * Any directory object that can hold a role or be a group member, by object id. Role
 * assignments and group memberships point at object ids of any of these kinds.
 */
export async function findPrincipal(
  db: Store,
  tenantId: string,
  objectId: string,
): Promise<DirectoryPrincipal | undefined> {
  if (!isGuid(objectId)) return undefined;
  const id = objectId.toLowerCase();
  const sp = await db
    .selectFrom('service_principals')
    .select(['object_id', 'display_name'])
    .where('tenant_id', '=', tenantId)
    .where('object_id', '=', id)
    .executeTakeFirst();
  if (sp) return { objectId: sp.object_id, type: 'ServicePrincipal', displayName: sp.display_name };
  const group = await db
    .selectFrom('groups')
    .select(['object_id', 'display_name'])
    .where('tenant_id', '=', tenantId)
    .where('object_id', '=', id)
    .executeTakeFirst();
  if (group) return { objectId: group.object_id, type: 'Group', displayName: group.display_name };
  const user = await db
    .selectFrom('users')
    .select(['object_id', 'display_name'])
    .where('tenant_id', '=', tenantId)
    .where('object_id', '=', id)
    .executeTakeFirst();
  if (user) return { objectId: user.object_id, type: 'User', displayName: user.display_name };
  return undefined;
}
