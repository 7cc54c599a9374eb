import type { User } from '../../directory/model.js';
import type { UserInput, UserUpdate } from '../../directory/users.js';
import { Authorization } from '../authorization.js';
import { graphErrors } from '../errors.js';
import type { PayloadType } from '../http/body.js';
import { readNested, readPayload } from '../http/body.js';
import type { GraphContext, GraphOperation } from '../http/context.js';
import { noContent, paramOf } from '../http/context.js';
import { groupType } from '../shapes/groups.js';
import { userType } from '../shapes/users.js';
import { transitiveGroupsOf } from './memberships.js';
import { typedGroup, typedUser, userAt, withODataType } from './objects.js';
import { countReply, entityReply, listReply } from './replies.js';

const userPayload: PayloadType = {
  resource: 'User',
  odataType: 'microsoft.graph.user',
  fields: {
    accountEnabled: 'boolean',
    displayName: 'string',
    givenName: 'nullableString',
    surname: 'nullableString',
    mailNickname: 'string',
    userPrincipalName: 'string',
    passwordProfile: 'object',
    id: 'readOnly',
    createdDateTime: 'readOnly',
    deletedDateTime: 'readOnly',
    identities: 'readOnly',
    userType: 'readOnly',
    // Graph's properties that Tessera does not keep: accepted only empty.
    businessPhones: 'unkept',
    city: 'unkept',
    companyName: 'unkept',
    country: 'unkept',
    department: 'unkept',
    employeeId: 'unkept',
    jobTitle: 'unkept',
    mail: 'unkept',
    mobilePhone: 'unkept',
    officeLocation: 'unkept',
    onPremisesImmutableId: 'unkept',
    otherMails: 'unkept',
    passwordPolicies: 'unkept',
    postalCode: 'unkept',
    preferredLanguage: 'unkept',
    state: 'unkept',
    streetAddress: 'unkept',
    usageLocation: 'unkept',
  },
};

const passwordProfileType = {
  odataType: 'microsoft.graph.passwordProfile',
  fields: {
    password: 'string',
    forceChangePasswordNextSignIn: 'boolean',
    forceChangePasswordNextSignInWithMfa: 'unkept',
  },
} as const;

function passwordProfileOf(value: unknown): { password?: string; forceChangePasswordNextSignIn?: boolean } {
  return readNested(value, 'passwordProfile', userPayload, passwordProfileType) as {
    password?: string;
    forceChangePasswordNextSignIn?: boolean;
  };
}

/** Whoever is not a Global Administrator may not manage a user who holds an admin role (Entra's rule). */
async function checkMayManage(context: GraphContext, user: User): Promise<void> {
  if (Authorization.isGlobalAdministrator(context.caller)) return;
  const roles = await context.directory.directoryRoles.rolesOf(context.tenant.id, user.objectId);
  if (Authorization.isPrivileged(roles)) throw graphErrors.forbidden();
}

export const listUsers: GraphOperation = async (context) => {
  const users = await context.directory.users.list(context.tenant.id);
  return listReply(
    context,
    users.map((u) => typedUser(u, context.tenant)),
    'users',
    [userType],
  );
};

export const countUsers: GraphOperation = async (context) => {
  const users = await context.directory.users.list(context.tenant.id);
  return countReply(
    context,
    users.map((u) => typedUser(u, context.tenant)),
    [userType],
  );
};

export const getUser: GraphOperation = async (context) => {
  const user = await userAt(context.directory, context.tenant, paramOf(context, 'id'));
  return entityReply(context, typedUser(user, context.tenant), 'users');
};

export const createUser: GraphOperation = async (context) => {
  const body = readPayload(context.body(), userPayload);
  for (const required of [
    'accountEnabled',
    'displayName',
    'mailNickname',
    'userPrincipalName',
    'passwordProfile',
  ]) {
    if (body[required] === undefined) throw graphErrors.required(required, 'User');
  }
  const profile = passwordProfileOf(body.passwordProfile);
  if (profile.password === undefined)
    throw graphErrors.badRequest('A password must be specified to create a new user.');
  const input: UserInput = {
    userPrincipalName: body.userPrincipalName as string,
    displayName: body.displayName as string,
    password: profile.password,
    mailNickname: body.mailNickname as string,
    accountEnabled: body.accountEnabled as boolean,
    forceChangePasswordNextSignIn: profile.forceChangePasswordNextSignIn ?? true,
    ...(typeof body.givenName === 'string' && { givenName: body.givenName }),
    ...(typeof body.surname === 'string' && { surname: body.surname }),
  };
  const user = await context.directory.users.create(context.tenant, input);
  return entityReply(context, typedUser(user, context.tenant), 'users', 201);
};

/** PATCH: what the body names changes; a new password ends the user's sessions. */
export const updateUser: GraphOperation = async (context) => {
  const user = await userAt(context.directory, context.tenant, paramOf(context, 'id'));
  await checkMayManage(context, user);
  const body = readPayload(context.body(), userPayload);
  if (
    body.userPrincipalName !== undefined &&
    (body.userPrincipalName as string).toLowerCase() !== user.userPrincipalName.toLowerCase()
  ) {
    throw graphErrors.badRequest("Tessera does not rename users: 'userPrincipalName' cannot be changed.");
  }
  const profile = body.passwordProfile === undefined ? {} : passwordProfileOf(body.passwordProfile);
  const change: UserUpdate = {
    ...(body.displayName !== undefined && { displayName: body.displayName as string }),
    ...(body.accountEnabled !== undefined && { accountEnabled: body.accountEnabled as boolean }),
    ...(profile.password !== undefined && { password: profile.password }),
    ...(profile.forceChangePasswordNextSignIn !== undefined && {
      forceChangePasswordNextSignIn: profile.forceChangePasswordNextSignIn,
    }),
  };
  const updated = Object.keys(change).length > 0 ? await context.directory.users.update(user, change) : user;
  await context.directory.users.updateNames(updated, {
    ...(body.givenName !== undefined && { givenName: body.givenName as string | null }),
    ...(body.surname !== undefined && { surname: body.surname as string | null }),
    ...(body.mailNickname !== undefined && { mailNickname: body.mailNickname as string }),
  });
  return noContent();
};

export const deleteUser: GraphOperation = async (context) => {
  const user = await userAt(context.directory, context.tenant, paramOf(context, 'id'));
  await checkMayManage(context, user);
  await context.directory.users.delete(user);
  return noContent();
};

/** `users/{id}/memberOf` and `transitiveMemberOf`: groups, as directoryObjects. */
export const userMemberOf =
  (transitive: boolean): GraphOperation =>
  async (context) => {
    const user = await userAt(context.directory, context.tenant, paramOf(context, 'id'));
    const groups = transitive
      ? await transitiveGroupsOf(context.directory, context.tenant.id, user.objectId)
      : await context.directory.groups.groupsOf(context.tenant.id, user.objectId);
    return listReply(
      context,
      groups.map((g) => withODataType(typedGroup(g))),
      'directoryObjects',
      [groupType],
    );
  };
