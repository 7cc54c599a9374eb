import type { Tenant } from '../directory/model.js';
import type { DirectoryPrincipal } from '../directory/principals.js';
import { findPrincipal } from '../directory/principals.js';
import { TesseraError, isGuid } from '../errors.js';
import type { Tessera } from '../tessera.js';

/**
 * az's `--assignee`: an appId or object id, a user's UPN, a service principal name, or a group's
 * display name, resolved to the directory object a role assignment names.
 */
export async function resolveAssignee(
  tessera: Tessera,
  tenant: Tenant,
  assignee: string,
): Promise<DirectoryPrincipal> {
  const { servicePrincipals, groups, users } = tessera.directory;
  if (isGuid(assignee)) {
    const byAppId = await servicePrincipals.findByAppId(tenant.id, assignee);
    if (byAppId)
      return { objectId: byAppId.objectId, type: 'ServicePrincipal', displayName: byAppId.displayName };
    const byObjectId = await findPrincipal(tessera.db, tenant.id, assignee);
    if (byObjectId) return byObjectId;
  } else {
    const user = assignee.includes('@') ? await users.findByUpn(tenant.id, assignee) : undefined;
    if (user) return { objectId: user.objectId, type: 'User', displayName: user.userPrincipalName };
    const byName = (await servicePrincipals.resolveResource(tenant.id, assignee))?.servicePrincipal;
    if (byName)
      return { objectId: byName.objectId, type: 'ServicePrincipal', displayName: byName.displayName };
    const group = await groups.find(tenant.id, assignee);
    if (group) return { objectId: group.objectId, type: 'Group', displayName: group.displayName };
  }
  throw new TesseraError(
    'PrincipalNotFound',
    `Cannot find user or service principal in graph database for '${assignee}'. If the assignee is an appId, make sure the corresponding service principal is created with 'az ad sp create --id ${assignee}'.`,
  );
}

/** What az shows as `principalName`: a service principal's appId, a user's UPN, a group's display name. */
export async function principalName(
  tessera: Tessera,
  tenant: Tenant,
  objectId: string,
): Promise<string | null> {
  const sp = await tessera.directory.servicePrincipals.findByObjectId(tenant.id, objectId);
  if (sp) return sp.appId;
  const user = await tessera.directory.users.findById(tenant.id, objectId);
  if (user) return user.userPrincipalName;
  const principal = await findPrincipal(tessera.db, tenant.id, objectId);
  return principal?.displayName ?? null;
}
