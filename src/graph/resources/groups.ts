import { graphErrors } from '../errors.js';
import type { PayloadType } from '../http/body.js';
import { readPayload } from '../http/body.js';
import type { GraphContext, GraphOperation } from '../http/context.js';
import { noContent, paramOf } from '../http/context.js';
import { groupType } from '../shapes/groups.js';
import { servicePrincipalType } from '../shapes/servicePrincipals.js';
import { userType } from '../shapes/users.js';
import { transitiveGroupsOf, transitiveMembersOf } from './memberships.js';
import {
  PRINCIPAL_KINDS,
  findObject,
  groupAt,
  typedGroup,
  typedPrincipals,
  withODataType,
} from './objects.js';
import { countReply, entityReply, listReply } from './replies.js';

const groupPayload: PayloadType = {
  resource: 'Group',
  odataType: 'microsoft.graph.group',
  fields: {
    displayName: 'string',
    mailNickname: 'string',
    description: 'nullableString',
    mailEnabled: 'boolean',
    securityEnabled: 'boolean',
    groupTypes: 'stringList',
    id: 'readOnly',
    createdDateTime: 'readOnly',
    deletedDateTime: 'readOnly',
    mail: 'readOnly',
    isAssignableToRole: 'unkept',
    visibility: 'unkept',
    membershipRule: 'unkept',
    'members@odata.bind': 'unkept',
    'owners@odata.bind': 'unkept',
  },
};

/** The types a collection of members may hold. */
const MEMBER_TYPES = [userType, groupType, servicePrincipalType];

const groupOf = (context: GraphContext) => groupAt(context.directory, context.tenant, paramOf(context, 'id'));

export const listGroups: GraphOperation = async (context) => {
  const groups = await context.directory.groups.list(context.tenant.id);
  return listReply(context, groups.map(typedGroup), 'groups', [groupType]);
};

export const countGroups: GraphOperation = async (context) => {
  const groups = await context.directory.groups.list(context.tenant.id);
  return countReply(context, groups.map(typedGroup), [groupType]);
};

export const getGroup: GraphOperation = async (context) =>
  entityReply(context, typedGroup(await groupOf(context)), 'groups');

/** Security groups only: a mail-enabled or Microsoft 365 group is refused, as Tessera has no mail. */
export const createGroup: GraphOperation = async (context) => {
  const body = readPayload(context.body(), groupPayload);
  for (const required of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled']) {
    if (body[required] === undefined) throw graphErrors.required(required, 'Group');
  }
  if (
    body.mailEnabled !== false ||
    body.securityEnabled !== true ||
    ((body.groupTypes as string[] | undefined) ?? []).length > 0
  ) {
    throw graphErrors.badRequest(
      'Tessera keeps security groups only: set mailEnabled to false, securityEnabled to true and no groupTypes.',
    );
  }
  const group = await context.directory.groups.create(context.tenant.id, {
    displayName: body.displayName as string,
    mailNickname: body.mailNickname as string,
    ...(typeof body.description === 'string' && { description: body.description }),
  });
  return entityReply(context, typedGroup(group), 'groups', 201);
};

export const deleteGroup: GraphOperation = async (context) => {
  await context.directory.groups.delete(await groupOf(context));
  return noContent();
};

export const listMembers =
  (transitive: boolean): GraphOperation =>
  async (context) => {
    const group = await groupOf(context);
    const members = transitive
      ? await transitiveMembersOf(context.directory, group)
      : await context.directory.groups.members(group);
    return listReply(
      context,
      await typedPrincipals(context.directory, context.tenant, members),
      'directoryObjects',
      MEMBER_TYPES,
    );
  };

/**
 * `POST groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{id}"}`: the member is
 * named by a URL whose last segment is its object id (Graph accepts any host, as az builds it).
 */
export const addMember: GraphOperation = async (context) => {
  const group = await groupOf(context);
  const reference = context.body()['@odata.id'];
  if (typeof reference !== 'string') throw graphErrors.invalidValue('@odata.id', 'Group');
  const memberId =
    /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/[A-Za-z.]*)?\/?$/i.exec(
      reference,
    )?.[1];
  if (!memberId) throw graphErrors.invalidValue('@odata.id', 'Group');
  const member = await findObject(context.directory, context.tenant, memberId, PRINCIPAL_KINDS);
  if (!member) throw graphErrors.notFound(memberId);
  await context.directory.groups.addMember(group, memberId);
  return noContent();
};

export const removeMember: GraphOperation = async (context) => {
  const group = await groupOf(context);
  const memberId = paramOf(context, 'memberId').value.toLowerCase();
  const members = await context.directory.groups.members(group);
  if (!members.some((m) => m.objectId === memberId)) throw graphErrors.notFound(memberId);
  await context.directory.groups.removeMember(group, memberId);
  return noContent();
};

export const groupMemberOf =
  (transitive: boolean): GraphOperation =>
  async (context) => {
    const group = await groupOf(context);
    const groups = transitive
      ? await transitiveGroupsOf(context.directory, context.tenant.id, group.objectId)
      : await context.directory.groups.groupsOf(context.tenant.id, group.objectId);
    return listReply(
      context,
      groups.map((g) => withODataType(typedGroup(g))),
      'directoryObjects',
      [groupType],
    );
  };
