import assert from 'node:assert/strict';
import { ClientSecretCredential } from '@azure/identity';
import { DIRECTORY_ROLES } from '../../src/directory/directoryRoles.js';
import type { DirectoryRoleName } from '../../src/directory/directoryRoles.js';
import type { User } from '../../src/directory/model.js';
import { assertNoLeak, registerSecretClient } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import type { TestServer } from '../support/server.js';
import { createUser, okBody, ropc } from '../support/users.js';

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface GraphResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

/** A Graph request with the token given (none: no Authorization header). */
export async function graph(
  t: TestServer,
  token: string | undefined,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<GraphResponse> {
  const response = await fetch(`${t.origin}/v1.0/${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  if (text.startsWith('{')) json = JSON.parse(text) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, text, json };
}

/** Asserts a success status and returns the JSON body. */
export function expectOk(response: GraphResponse, status = 200): Record<string, unknown> {
  assert.equal(response.status, status, response.text);
  return response.json;
}

/** Asserts Graph's error envelope: code, message, innerError with the request ids and a date. */
export function expectGraphError(
  response: GraphResponse,
  status: number,
  code: string,
  message?: string | RegExp,
) {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  assertNoLeak(response.text);
  const error = (
    response.json as { error: { code: string; message: string; innerError: Record<string, string> } }
  ).error;
  assert.equal(error.code, code, response.text);
  if (typeof message === 'string') assert.equal(error.message, message);
  else if (message) assert.match(error.message, message);
  assert.match(error.innerError.date ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  assert.equal(error.innerError['request-id'], response.headers.get('request-id'));
  assert.equal(error.innerError['client-request-id'], response.headers.get('client-request-id'));
  return error;
}

export const INSUFFICIENT = 'Insufficient privileges to complete the operation.';

/** The tenant's Microsoft Graph service principal and its app roles by value. */
export async function graphResource(t: TestServer) {
  const { directory } = t.server.tessera;
  const servicePrincipal = await directory.servicePrincipals.findByAppId(t.tenant.id, GRAPH_APP_ID);
  const application = await directory.applications.findByAppId(GRAPH_APP_ID);
  assert.ok(servicePrincipal && application, 'every tenant has Microsoft Graph');
  return { servicePrincipal, roles: new Map(application.appRoles.map((r) => [r.value, r.id])) };
}

export interface GraphApp extends SecretClient {
  token: string;
}

/** An application granted Graph's application permissions (admin consent), with an app-only token. */
export async function graphApp(t: TestServer, displayName: string, permissions: string[]): Promise<GraphApp> {
  const client = await registerSecretClient(t, { displayName });
  const graphSp = await graphResource(t);
  for (const permission of permissions) {
    const appRoleId = graphSp.roles.get(permission);
    assert.ok(appRoleId, `Graph defines ${permission}`);
    await t.server.tessera.directory.servicePrincipals.assignAppRole({
      tenantId: t.tenant.id,
      principal: client.servicePrincipal,
      resource: graphSp.servicePrincipal,
      appRoleId,
    });
  }
  return { ...client, token: await appToken(t, client) };
}

/** A client-credentials token for Graph, as the Azure SDKs get one. */
export async function appToken(t: TestServer, client: SecretClient, scope = GRAPH_SCOPE): Promise<string> {
  const credential = new ClientSecretCredential(t.tenant.id, client.application.appId, client.secret, {
    authorityHost: t.origin,
    disableInstanceDiscovery: true,
  });
  const token = await credential.getToken(scope);
  return token.token;
}

export interface GraphUser {
  user: User;
  token: string;
}

/** A member user, with the directory roles named, and a password-grant token for Graph as az gets one. */
export async function graphUser(
  t: TestServer,
  alias: string,
  roles: DirectoryRoleName[] = [],
  scope = GRAPH_SCOPE,
): Promise<GraphUser> {
  const user = await createUser(t, alias);
  for (const role of roles) {
    await t.server.tessera.directory.directoryRoles.add(t.tenant.id, DIRECTORY_ROLES[role].id, user.objectId);
  }
  const body = await okBody(
    await ropc(t, { username: user.userPrincipalName, scope: `${scope} openid profile` }),
  );
  return { user, token: body.access_token };
}
