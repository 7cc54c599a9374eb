import type { AuthorizedCaller } from '../authorization.js';
import { mayRead } from '../authorization.js';
import { graphErrors } from '../errors.js';
import type { GraphContext, GraphOperation } from '../http/context.js';
import { ok, paramOf } from '../http/context.js';
import type { Json } from '../odata/evaluate.js';
import { contextUrl, project } from '../odata/responses.js';
import { transitiveGroupsOf } from './memberships.js';
import type { ObjectKind } from './objects.js';
import { ALL_KINDS, findObject, groupAt, userAt, withODataType } from './objects.js';
import { entityReply } from './replies.js';

/** Graph's limit on one getByIds call. */
const MAX_IDS = 1000;

/** Types getByIds accepts; those Tessera keeps none of (devices, partner references…) match nothing. */
const KNOWN_TYPES: Readonly<Record<string, ObjectKind | null>> = {
  user: 'user',
  group: 'group',
  serviceprincipal: 'servicePrincipal',
  application: 'application',
  device: null,
  orgcontact: null,
  directoryrole: null,
  directoryobjectpartnerreference: null,
  administrativeunit: null,
};

const readPermission = {
  user: 'users.read',
  group: 'groups.read',
  servicePrincipal: 'applications.read',
  application: 'applications.read',
} as const;

const mayReadKind = (caller: AuthorizedCaller, kind: ObjectKind): boolean =>
  mayRead(caller, readPermission[kind]);

function kindsOf(types: unknown): Set<ObjectKind> {
  if (types === undefined || types === null) return new Set(ALL_KINDS);
  if (!Array.isArray(types)) throw graphErrors.invalidValue('types', 'DirectoryObject');
  const kinds = new Set<ObjectKind>();
  for (const type of types) {
    const name = typeof type === 'string' ? type.replace(/^#?microsoft\.graph\./i, '').toLowerCase() : '';
    const kind = KNOWN_TYPES[name];
    if (kind === undefined) throw graphErrors.invalidValue('types', 'DirectoryObject');
    if (kind !== null) kinds.add(kind);
  }
  return kinds;
}

/**
 * `POST directoryObjects/getByIds` `{ids, types}`: what az resolves an assignee's object id with.
 * Objects of kinds the caller may not read are left out, as are ids that name nothing.
 */
export const getByIds: GraphOperation = async (context) => {
  const body = context.body();
  const ids = body.ids;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) {
    throw graphErrors.invalidValue('ids', 'DirectoryObject');
  }
  if (ids.length > MAX_IDS) throw graphErrors.badRequest(`At most ${MAX_IDS} ids may be asked for at once.`);
  const kinds = kindsOf(body.types);
  const value: Json[] = [];
  for (const id of new Set(ids as string[])) {
    const found = await findObject(context.directory, context.tenant, id, kinds);
    if (found && mayReadKind(context.caller, found.kind)) value.push(project(withODataType(found.entity)));
  }
  return ok({ '@odata.context': contextUrl(context.base, 'directoryObjects'), value });
};

async function readableObject(context: GraphContext) {
  const key = paramOf(context, 'id');
  const found = await findObject(context.directory, context.tenant, key.value, ALL_KINDS);
  if (!found) throw graphErrors.notFound(key.value);
  if (!mayReadKind(context.caller, found.kind)) throw graphErrors.forbidden();
  return found;
}

export const getDirectoryObject: GraphOperation = async (context) =>
  entityReply(context, withODataType((await readableObject(context)).entity), 'directoryObjects');

const stringCollection = (context: GraphContext, value: string[]) =>
  ok({ '@odata.context': contextUrl(context.base, 'Collection(Edm.String)'), value });

/**
 * `getMemberGroups`: the ids of every group the object belongs to, through nesting too. The object
 * is found the way its route names it: a user by id or UPN, a group or any object by id.
 */
export const getMemberGroups =
  (find: 'user' | 'group' | 'object'): GraphOperation =>
  async (context) => {
    const key = paramOf(context, 'id');
    const id =
      find === 'user'
        ? (await userAt(context.directory, context.tenant, key)).objectId
        : find === 'group'
          ? (await groupAt(context.directory, context.tenant, key)).objectId
          : String((await readableObject(context)).entity.json.id);
    const securityEnabledOnly = context.body().securityEnabledOnly;
    if (typeof securityEnabledOnly !== 'boolean') {
      throw graphErrors.invalidValue('securityEnabledOnly', 'DirectoryObject');
    }
    const groups = await transitiveGroupsOf(context.directory, context.tenant.id, id);
    return stringCollection(
      context,
      groups.map((g) => g.objectId),
    );
  };

/** `checkMemberGroups`: which of the given groups the object belongs to, through nesting too. */
export const checkMemberGroups: GraphOperation = async (context) => {
  const { entity } = await readableObject(context);
  const groupIds = context.body().groupIds;
  if (!Array.isArray(groupIds) || !groupIds.every((id) => typeof id === 'string') || groupIds.length > 20) {
    throw graphErrors.invalidValue('groupIds', 'DirectoryObject');
  }
  const groups = new Set(
    (await transitiveGroupsOf(context.directory, context.tenant.id, String(entity.json.id))).map(
      (g) => g.objectId,
    ),
  );
  return stringCollection(
    context,
    (groupIds as string[]).filter((id) => groups.has(id.toLowerCase())),
  );
};
