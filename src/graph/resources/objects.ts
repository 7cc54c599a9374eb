import { isGuid } from '../../errors.js';
import type { Group } from '../../directory/groups.js';
import type { Application, ServicePrincipal, Tenant, User } from '../../directory/model.js';
import type { GraphDirectory } from '../directoryPort.js';
import { graphErrors } from '../errors.js';
import type { PathKey } from '../http/resourcePath.js';
import type { Typed } from '../odata/responses.js';
import { applicationJson, applicationType } from '../shapes/applications.js';
import { groupJson, groupType } from '../shapes/groups.js';
import { servicePrincipalJson, servicePrincipalType } from '../shapes/servicePrincipals.js';
import { userJson, userType } from '../shapes/users.js';

/** The kinds of directory object Graph serves, by the names `getByIds` takes in `types`. */
export type ObjectKind = 'user' | 'group' | 'servicePrincipal' | 'application';

/** Collections of directoryObjects say which type each entry is. */
export const withODataType = (entity: Typed): Typed => ({
  type: entity.type,
  json: { '@odata.type': `#${entity.type.name}`, ...entity.json },
});

export const typedUser = (user: User, tenant: Tenant): Typed => ({
  type: userType,
  json: userJson(user, tenant),
});
export const typedGroup = (group: Group): Typed => ({ type: groupType, json: groupJson(group) });

export async function typedServicePrincipal(
  directory: GraphDirectory,
  sp: ServicePrincipal,
  names?: readonly string[],
): Promise<Typed> {
  const app = await directory.applications.findByAppId(sp.appId);
  return {
    type: servicePrincipalType,
    json: servicePrincipalJson(sp, app, names ?? (await directory.servicePrincipals.names(sp.objectId))),
  };
}

export async function typedApplication(
  directory: GraphDirectory,
  app: Application,
  tenant: Tenant,
): Promise<Typed> {
  const [passwords, certificates] = await Promise.all([
    directory.credentials.passwords(app.objectId),
    directory.credentials.certificates(app.objectId),
  ]);
  return { type: applicationType, json: applicationJson(app, tenant.domain, { passwords, certificates }) };
}

/** A user by object id or UPN (`users/{id}` takes either), or Graph's 404. */
export async function userAt(directory: GraphDirectory, tenant: Tenant, key: PathKey): Promise<User> {
  const user = key.property === 'id' ? await directory.users.find(tenant.id, key.value) : undefined;
  if (!user) throw graphErrors.notFound(key.value);
  return user;
}

export async function groupAt(directory: GraphDirectory, tenant: Tenant, key: PathKey): Promise<Group> {
  const group =
    key.property === 'id' && isGuid(key.value)
      ? await directory.groups.find(tenant.id, key.value)
      : undefined;
  if (!group) throw graphErrors.notFound(key.value);
  return group;
}

/** By object id, or by appId through the alternate key `servicePrincipals(appId='…')`. */
export async function servicePrincipalAt(
  directory: GraphDirectory,
  tenant: Tenant,
  key: PathKey,
): Promise<ServicePrincipal> {
  const sp =
    key.property === 'appId'
      ? await directory.servicePrincipals.findByAppId(tenant.id, key.value)
      : await directory.servicePrincipals.findByObjectId(tenant.id, key.value);
  if (!sp) throw graphErrors.notFound(key.value);
  return sp;
}

/** By object id, or by appId through `applications(appId='…')`; only the tenant's own applications. */
export async function applicationAt(
  directory: GraphDirectory,
  tenant: Tenant,
  key: PathKey,
): Promise<Application> {
  const app = isGuid(key.value) ? await directory.applications.findInTenant(tenant.id, key.value) : undefined;
  const matches =
    app &&
    (key.property === 'appId'
      ? app.appId === key.value.toLowerCase()
      : app.objectId === key.value.toLowerCase());
  if (!app || !matches) throw graphErrors.notFound(key.value);
  return app;
}

/** Any directory object of the kinds asked, by object id. */
export async function findObject(
  directory: GraphDirectory,
  tenant: Tenant,
  id: string,
  kinds: ReadonlySet<ObjectKind>,
): Promise<{ kind: ObjectKind; entity: Typed } | undefined> {
  if (!isGuid(id)) return undefined;
  if (kinds.has('user')) {
    const user = await directory.users.findById(tenant.id, id);
    if (user) return { kind: 'user', entity: typedUser(user, tenant) };
  }
  if (kinds.has('group')) {
    const group = await directory.groups.find(tenant.id, id);
    if (group) return { kind: 'group', entity: typedGroup(group) };
  }
  if (kinds.has('servicePrincipal')) {
    const sp = await directory.servicePrincipals.findByObjectId(tenant.id, id);
    if (sp) return { kind: 'servicePrincipal', entity: await typedServicePrincipal(directory, sp) };
  }
  if (kinds.has('application')) {
    const app = await directory.applications.findInTenant(tenant.id, id);
    if (app && app.objectId === id.toLowerCase()) {
      return { kind: 'application', entity: await typedApplication(directory, app, tenant) };
    }
  }
  return undefined;
}

export const ALL_KINDS: ReadonlySet<ObjectKind> = new Set([
  'user',
  'group',
  'servicePrincipal',
  'application',
]);
/** What can be a group member or hold an app role. */
export const PRINCIPAL_KINDS: ReadonlySet<ObjectKind> = new Set(['user', 'group', 'servicePrincipal']);

/** Group members (or any principals) as directoryObjects; ids that no longer resolve are left out. */
export async function typedPrincipals(
  directory: GraphDirectory,
  tenant: Tenant,
  principals: ReadonlyArray<{ objectId: string }>,
): Promise<Typed[]> {
  const out: Typed[] = [];
  for (const principal of principals) {
    const found = await findObject(directory, tenant, principal.objectId, PRINCIPAL_KINDS);
    if (found) out.push(withODataType(found.entity));
  }
  return out;
}
