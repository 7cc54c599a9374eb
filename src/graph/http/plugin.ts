import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { BodyTooLargeError, readBody } from '../../net/bodyReader.js';
import type { SigningKeys } from '../../authority/tokens/signingKeys.js';
import type { Tenant } from '../../directory/model.js';
import type { PublicOrigins } from '../../server/origins.js';
import { GraphAuthenticator, graphChallenge } from '../authentication.js';
import type { AuthorizedCaller } from '../authorization.js';
import { Authorization } from '../authorization.js';
import type { GraphDirectory } from '../directoryPort.js';
import type { GraphSignInLog } from '../signInLogPort.js';
import type { GraphError } from '../errors.js';
import { GRAPH_JSON, graphErrors, serializeGraphError, toGraphError } from '../errors.js';
import * as applications from '../resources/applications.js';
import * as assignments from '../resources/appRoleAssignments.js';
import * as directoryObjects from '../resources/directoryObjects.js';
import * as groups from '../resources/groups.js';
import * as me from '../resources/me.js';
import * as organization from '../resources/organization.js';
import * as servicePrincipals from '../resources/servicePrincipals.js';
import * as signIns from '../resources/signIns.js';
import * as users from '../resources/users.js';
import { BODY_LIMIT, jsonObjectOf, parseLargeBody } from './body.js';
import type { GraphContext, GraphRoute } from './context.js';
import type { PathKey, PathTemplate } from './resourcePath.js';
import { compileTemplate, describeToken, matchTemplate, parseResourcePath } from './resourcePath.js';

export interface GraphServices {
  directory: GraphDirectory;
  signInLog: GraphSignInLog;
  keys: SigningKeys;
  origins: PublicOrigins;
  /** Token audiences beyond Microsoft Graph's own that this Graph accepts (an origin of its own). */
  audiences?: (aud: string) => boolean;
}

/** Where Graph answers on the server's origin, as on graph.microsoft.com. */
export const GRAPH_PREFIX = '/v1.0';

/**
 * Every operation with the permission it needs. Order matters where a literal and a key could
 * both match (`users/$count` before `users/{id}`): the first route that matches wins.
 */
const routes: readonly GraphRoute[] = [
  { method: 'GET', path: 'me', permission: 'me.read', run: me.getMe },
  { method: 'GET', path: 'me/memberOf', permission: 'me.read', run: me.myMemberOf(false) },
  { method: 'GET', path: 'me/transitiveMemberOf', permission: 'me.read', run: me.myMemberOf(true) },

  { method: 'GET', path: 'users', permission: 'users.read', run: users.listUsers },
  { method: 'GET', path: 'users/$count', permission: 'users.read', run: users.countUsers },
  { method: 'POST', path: 'users', permission: 'users.write', run: users.createUser },
  { method: 'GET', path: 'users/{id}', permission: 'users.read', run: users.getUser },
  { method: 'PATCH', path: 'users/{id}', permission: 'users.write', run: users.updateUser },
  { method: 'DELETE', path: 'users/{id}', permission: 'users.write', run: users.deleteUser },
  { method: 'GET', path: 'users/{id}/memberOf', permission: 'groups.read', run: users.userMemberOf(false) },
  {
    method: 'GET',
    path: 'users/{id}/transitiveMemberOf',
    permission: 'groups.read',
    run: users.userMemberOf(true),
  },
  {
    method: 'POST',
    path: 'users/{id}/getMemberGroups',
    permission: 'groups.read',
    run: directoryObjects.getMemberGroups('user'),
  },
  {
    method: 'GET',
    path: 'users/{id}/appRoleAssignments',
    permission: 'users.read',
    run: assignments.listAssignments('users'),
  },
  {
    method: 'POST',
    path: 'users/{id}/appRoleAssignments',
    permission: 'appRoleAssignments.write',
    run: assignments.grantAssignment('users'),
  },
  {
    method: 'DELETE',
    path: 'users/{id}/appRoleAssignments/{assignmentId}',
    permission: 'appRoleAssignments.write',
    run: assignments.revoke('principal', 'users'),
  },

  { method: 'GET', path: 'groups', permission: 'groups.read', run: groups.listGroups },
  { method: 'GET', path: 'groups/$count', permission: 'groups.read', run: groups.countGroups },
  { method: 'POST', path: 'groups', permission: 'groups.write', run: groups.createGroup },
  { method: 'GET', path: 'groups/{id}', permission: 'groups.read', run: groups.getGroup },
  { method: 'DELETE', path: 'groups/{id}', permission: 'groups.write', run: groups.deleteGroup },
  { method: 'GET', path: 'groups/{id}/members', permission: 'groups.read', run: groups.listMembers(false) },
  {
    method: 'GET',
    path: 'groups/{id}/transitiveMembers',
    permission: 'groups.read',
    run: groups.listMembers(true),
  },
  {
    method: 'POST',
    path: 'groups/{id}/members/$ref',
    permission: 'groupMembers.write',
    run: groups.addMember,
  },
  {
    method: 'DELETE',
    path: 'groups/{id}/members/{memberId}/$ref',
    permission: 'groupMembers.write',
    run: groups.removeMember,
  },
  {
    method: 'GET',
    path: 'groups/{id}/memberOf',
    permission: 'groups.read',
    run: groups.groupMemberOf(false),
  },
  {
    method: 'GET',
    path: 'groups/{id}/transitiveMemberOf',
    permission: 'groups.read',
    run: groups.groupMemberOf(true),
  },
  {
    method: 'POST',
    path: 'groups/{id}/getMemberGroups',
    permission: 'groups.read',
    run: directoryObjects.getMemberGroups('group'),
  },

  {
    method: 'GET',
    path: 'applications',
    permission: 'applications.read',
    run: applications.listApplications,
  },
  {
    method: 'GET',
    path: 'applications/$count',
    permission: 'applications.read',
    run: applications.countApplications,
  },
  {
    method: 'POST',
    path: 'applications',
    permission: 'applications.write',
    run: applications.createApplication,
  },
  {
    method: 'GET',
    path: 'applications/{id}',
    permission: 'applications.read',
    run: applications.getApplication,
  },
  {
    method: 'PATCH',
    path: 'applications/{id}',
    permission: 'applications.write',
    run: applications.updateApplication,
  },
  {
    method: 'DELETE',
    path: 'applications/{id}',
    permission: 'applications.write',
    run: applications.deleteApplication,
  },
  {
    method: 'POST',
    path: 'applications/{id}/addPassword',
    permission: 'applications.write',
    run: applications.addPassword,
  },
  {
    method: 'POST',
    path: 'applications/{id}/removePassword',
    permission: 'applications.write',
    run: applications.removePassword,
  },

  {
    method: 'GET',
    path: 'servicePrincipals',
    permission: 'applications.read',
    run: servicePrincipals.listServicePrincipals,
  },
  {
    method: 'GET',
    path: 'servicePrincipals/$count',
    permission: 'applications.read',
    run: servicePrincipals.countServicePrincipals,
  },
  {
    method: 'POST',
    path: 'servicePrincipals',
    permission: 'applications.write',
    run: servicePrincipals.createServicePrincipal,
  },
  {
    method: 'GET',
    path: 'servicePrincipals/{id}',
    permission: 'applications.read',
    run: servicePrincipals.getServicePrincipal,
  },
  {
    method: 'PATCH',
    path: 'servicePrincipals/{id}',
    permission: 'applications.write',
    run: servicePrincipals.updateServicePrincipal,
  },
  {
    method: 'DELETE',
    path: 'servicePrincipals/{id}',
    permission: 'applications.write',
    run: servicePrincipals.deleteServicePrincipal,
  },
  {
    method: 'GET',
    path: 'servicePrincipals/{id}/memberOf',
    permission: 'groups.read',
    run: servicePrincipals.servicePrincipalMemberOf(false),
  },
  {
    method: 'GET',
    path: 'servicePrincipals/{id}/transitiveMemberOf',
    permission: 'groups.read',
    run: servicePrincipals.servicePrincipalMemberOf(true),
  },
  {
    method: 'GET',
    path: 'servicePrincipals/{id}/appRoleAssignedTo',
    permission: 'applications.read',
    run: assignments.listAssignedTo,
  },
  {
    method: 'POST',
    path: 'servicePrincipals/{id}/appRoleAssignedTo',
    permission: 'appRoleAssignments.write',
    run: assignments.grantAssignedTo,
  },
  {
    method: 'DELETE',
    path: 'servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}',
    permission: 'appRoleAssignments.write',
    run: assignments.revoke('resource'),
  },
  {
    method: 'GET',
    path: 'servicePrincipals/{id}/appRoleAssignments',
    permission: 'applications.read',
    run: assignments.listAssignments('servicePrincipals'),
  },
  {
    method: 'POST',
    path: 'servicePrincipals/{id}/appRoleAssignments',
    permission: 'appRoleAssignments.write',
    run: assignments.grantAssignment('servicePrincipals'),
  },
  {
    method: 'DELETE',
    path: 'servicePrincipals/{id}/appRoleAssignments/{assignmentId}',
    permission: 'appRoleAssignments.write',
    run: assignments.revoke('principal'),
  },

  {
    method: 'POST',
    path: 'directoryObjects/getByIds',
    permission: 'directory.read',
    run: directoryObjects.getByIds,
  },
  {
    method: 'GET',
    path: 'directoryObjects/{id}',
    permission: 'directory.read',
    run: directoryObjects.getDirectoryObject,
  },
  {
    method: 'POST',
    path: 'directoryObjects/{id}/checkMemberGroups',
    permission: 'directory.read',
    run: directoryObjects.checkMemberGroups,
  },
  {
    method: 'POST',
    path: 'directoryObjects/{id}/getMemberGroups',
    permission: 'directory.read',
    run: directoryObjects.getMemberGroups('object'),
  },

  {
    method: 'GET',
    path: 'organization',
    permission: 'organization.read',
    run: organization.listOrganization,
  },
  {
    method: 'GET',
    path: 'organization/{id}',
    permission: 'organization.read',
    run: organization.getOrganization,
  },

  { method: 'GET', path: 'auditLogs/signIns', permission: 'auditLogs.read', run: signIns.listSignIns },
  { method: 'GET', path: 'auditLogs/signIns/{id}', permission: 'auditLogs.read', run: signIns.getSignIn },
];

const compiled: ReadonlyArray<{ route: GraphRoute; template: PathTemplate }> = routes.map((route) => ({
  route,
  template: compileTemplate(route.path),
}));

/** What onRequest learnt, for the handler: the route, its keys, the caller and its tenant. */
interface GraphRequestState {
  requestId: string;
  clientRequestId: string;
  route?: GraphRoute;
  params?: Record<string, PathKey>;
  path?: string;
  caller?: AuthorizedCaller;
  tenant?: Tenant;
  base?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the Graph surface on its own requests. */
    graph: GraphRequestState | null;
  }
}

/** Longer client request ids are not echoed. */
const MAX_CLIENT_REQUEST_ID = 128;

function requestIdsOf(request: FastifyRequest): GraphRequestState {
  const client = request.headers['client-request-id'];
  const clientRequestId =
    typeof client === 'string' && client.length <= MAX_CLIENT_REQUEST_ID && /^[\x21-\x7e]+$/.test(client)
      ? client
      : request.id;
  return { requestId: request.id, clientRequestId };
}

/** The route a path and method name: Graph's 400 for an unknown segment, 405 for a known path's other methods. */
function routeFor(method: string, tokens: ReturnType<typeof parseResourcePath>) {
  let deepest = 0;
  let pathKnown = false;
  for (const { route, template } of compiled) {
    const match = matchTemplate(template, tokens);
    if (match.params) {
      if (route.method === method) return { route, params: match.params };
      pathKnown = true;
    }
    deepest = Math.max(deepest, match.matched);
  }
  if (pathKnown) throw graphErrors.methodNotAllowed();
  throw graphErrors.unknownSegment(describeToken(tokens[deepest]));
}

/**
 * Microsoft Graph v1.0 at the server's own origin (`/v1.0/…`). Every request is refused before its
 * body is read unless it carries a Graph token issued by Tessera (401 with Graph's challenge),
 * names a known operation (400/405) and the caller holds the operation's permission (403); then
 * the operation runs against the caller's tenant.
 */
export async function graphPlugin(app: FastifyInstance, opts: { services: GraphServices }): Promise<void> {
  await app.register(graphApi, { prefix: GRAPH_PREFIX, services: opts.services });
}

async function graphApi(app: FastifyInstance, opts: { services: GraphServices }): Promise<void> {
  const { directory, signInLog, keys, origins } = opts.services;
  const authenticator = new GraphAuthenticator(keys, origins, opts.services.audiences);
  const authorization = new Authorization({
    rolesOf: (tenantId, principalId) => directory.directoryRoles.rolesOf(tenantId, principalId),
    isMember: async (tenantId, userId) =>
      (await directory.users.findById(tenantId, userId))?.accountEnabled === true,
  });

  app.decorateRequest('graph', null);
  // Each operation reads at most its own limit (Graph's 4 MiB unless it declares less): a larger
  // Content-Length is refused unread, a chunked body cut off there.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: Readable) => {
    const limit = request.graph?.route?.bodyLimit ?? BODY_LIMIT;
    let bytes: Buffer;
    try {
      bytes = await readBody(payload, request.headers['content-length'], limit);
    } catch (error) {
      throw error instanceof BodyTooLargeError ? graphErrors.bodyTooLarge(error.limit) : error;
    }
    await parseLargeBody(bytes);
    return bytes;
  });

  app.addHook('onRequest', async (request, reply) => {
    const state = requestIdsOf(request);
    request.graph = state;
    reply.header('request-id', state.requestId).header('client-request-id', state.clientRequestId);
    const origin = origins.fromHost(request.headers.host);
    const caller = await authenticator.authenticate(request.headers.authorization, origin);
    const tenant = await directory.tenants.find(caller.tenantId);
    if (!tenant)
      throw graphErrors.unauthenticated(
        'Access token validation failure. Invalid issuer.',
        graphChallenge(origin),
      );
    const rawPath = (request.url.split('?')[0] ?? '').replace(/^\/+v1\.0\/+/i, '');
    const { route, params } = routeFor(request.method, parseResourcePath(rawPath));
    state.caller = await authorization.authorize(caller, route.permission);
    Object.assign(state, { route, params, tenant, path: rawPath, base: `${origin}${GRAPH_PREFIX}` });
  });

  app.setErrorHandler(function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const state = request.graph ?? requestIdsOf(request);
    const wire = serializeGraphError(toKnownError(error, request), state);
    return reply.status(wire.status).headers(wire.headers).send(wire.body);
  });

  app.route({
    method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    url: '/*',
    handler: async (request, reply) => {
      const state = request.graph;
      const { route, params, caller, tenant, path, base } = state ?? {};
      if (!route || !params || !caller || !tenant || path === undefined || !base)
        throw graphErrors.internal();
      const context: GraphContext = {
        caller,
        tenant,
        params,
        query: new URLSearchParams(
          request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '',
        ),
        headers: request.headers,
        base,
        path,
        directory,
        signInLog,
        body: () => jsonObjectOf(request.body),
      };
      const answer = await route.run(context);
      reply.status(answer.status).headers(answer.headers ?? {});
      if (answer.body !== undefined) return reply.type(GRAPH_JSON).send(JSON.stringify(answer.body));
      if (answer.text !== undefined) return reply.type('text/plain; charset=utf-8').send(answer.text);
      return reply.send();
    },
  });
}

/** Maps anything thrown to Graph's one error type; the unexpected is logged and answered as a bare 500. */
function toKnownError(error: FastifyError | Error, request: FastifyRequest): GraphError {
  const known = toGraphError(error);
  if (known) return known;
  const fastify = error as FastifyError;
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return graphErrors.bodyTooLarge(BODY_LIMIT);
  if (fastify.statusCode !== undefined && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return graphErrors.unreadableBody();
  }
  request.log.error({ err: error }, 'graph request failed');
  return graphErrors.internal();
}
