import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type {
  AppRole,
  Application,
  PermissionScope,
  ServicePrincipal,
  User,
} from '../../src/directory/model.js';
import { postForm, tokenUrl, verifyAccessToken } from './authority.js';
import type { TestServer } from './server.js';

export const AZURE_CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
export const ARM_APP_ID = '797f4846-ba00-4fd7-ba43-dac1f8f63013';
export const PASSWORD = 'Correct-Horse-9';

export async function createUser(t: TestServer, alias: string, password = PASSWORD): Promise<User> {
  return t.server.tessera.directory.users.create(t.tenant, {
    userPrincipalName: `${alias}@${t.tenant.domain}`,
    displayName: `${alias[0]?.toUpperCase() ?? ''}${alias.slice(1)} Example`,
    password,
  });
}

export interface PublicClient {
  application: Application;
  servicePrincipal: ServicePrincipal;
}

/** A native app of the tenant: a public client with a loopback redirect URI. */
export async function registerPublicClient(t: TestServer, displayName = 'native-app'): Promise<PublicClient> {
  return t.server.tessera.directory.registerApplication(t.tenant, {
    displayName,
    isFallbackPublicClient: true,
    publicClientRedirectUris: ['http://localhost'],
  });
}

export interface ScopedApi {
  application: Application;
  servicePrincipal: ServicePrincipal;
  scopes: PermissionScope[];
  role: AppRole;
}

const permission = (value: string): PermissionScope => ({
  id: randomUUID(),
  value,
  type: 'User',
  adminConsentDisplayName: value,
  adminConsentDescription: value,
  isEnabled: true,
});

/** A custom API with two delegated permissions and one app role people can hold. */
export async function registerScopedApi(
  t: TestServer,
  options: { displayName?: string; version?: 1 | 2; scopes?: string[] } = {},
): Promise<ScopedApi> {
  const appId = randomUUID();
  const scopes = (options.scopes ?? ['Orders.Read', 'Orders.Write']).map(permission);
  const role: AppRole = {
    id: randomUUID(),
    value: 'Orders.Approver',
    displayName: 'Approve orders',
    description: 'Approve orders',
    allowedMemberTypes: ['User'],
    isEnabled: true,
  };
  const { application, servicePrincipal } = await t.server.tessera.directory.registerApplication(t.tenant, {
    displayName: options.displayName ?? 'orders-api',
    appId,
    identifierUris: [`api://${appId}`],
    oauth2PermissionScopes: scopes,
    appRoles: [role],
    accessTokenVersion: options.version ?? 2,
  });
  return { application, servicePrincipal, scopes, role };
}

export async function assignUserRole(t: TestServer, user: User, api: ScopedApi): Promise<void> {
  await t.server.tessera.directory.servicePrincipals.assignAppRole({
    tenantId: t.tenant.id,
    principal: user,
    principalType: 'User',
    resource: api.servicePrincipal,
    appRoleId: api.role.id,
  });
}

export interface UserTokenBody {
  token_type: string;
  scope: string;
  expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

/** A password-grant request as MSAL sends it (scope with the OIDC scopes appended). */
export function ropc(
  t: TestServer,
  fields: { username: string; password?: string; scope: string; client_id?: string } & Record<string, string>,
): Promise<Response> {
  return postForm(tokenUrl(t), {
    client_id: AZURE_CLI,
    grant_type: 'password',
    password: PASSWORD,
    client_info: '1',
    ...fields,
  });
}

export function refresh(
  t: TestServer,
  refreshToken: string,
  scope: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  return postForm(tokenUrl(t), {
    client_id: AZURE_CLI,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    scope,
    client_info: '1',
    ...extra,
  });
}

export async function okBody(response: Response): Promise<UserTokenBody> {
  const text = await response.text();
  assert.equal(response.status, 200, text);
  const body = JSON.parse(text) as UserTokenBody & { error?: unknown };
  assert.equal(body.error, undefined, 'a success body never carries error fields');
  return body;
}

/** The claims every user access token carries, in the v1 or v2 shape. */
export function assertUserClaims(
  payload: JWTPayload,
  expected: { version: 1 | 2; user: User; tenantId: string; clientId: string; scp: string; acr?: '0' | '1' },
): void {
  const { user } = expected;
  assert.equal(payload.tid, expected.tenantId);
  assert.equal(payload.oid, user.objectId);
  assert.equal(payload.name, user.displayName);
  assert.equal(payload.scp, expected.scp);
  assert.equal(payload.idtyp, undefined, 'user tokens carry no idtyp');
  assert.match(String(payload.sub), /^[A-Za-z0-9_-]{43}$/, 'pairwise sub');
  assert.notEqual(payload.sub, user.objectId);
  if (expected.version === 1) {
    assert.equal(payload.upn, user.userPrincipalName);
    assert.equal(payload.unique_name, user.userPrincipalName);
    assert.deepEqual(payload.amr, ['pwd']);
    assert.equal(payload.acr, '1');
    assert.equal(payload.appid, expected.clientId);
    assert.equal(payload.appidacr, expected.acr ?? '0');
    assert.equal(payload.azp, undefined);
    assert.equal(payload.preferred_username, undefined);
  } else {
    assert.equal(payload.preferred_username, user.userPrincipalName);
    assert.equal(payload.azp, expected.clientId);
    assert.equal(payload.azpacr, expected.acr ?? '0');
    assert.equal(payload.appid, undefined);
    assert.equal(payload.upn, undefined);
  }
  const life = (payload.exp ?? 0) - (payload.iat ?? 0);
  assert.ok(life >= 3600 && life <= 5400, `lifetime ${life}`);
}

/**
 * A v2 access token for the scoped API's `Orders.Read`, held by a user with its app role: verified
 * against the JWKS, with the user claims and the role.
 */
export async function assertOrdersReadToken(
  t: TestServer,
  token: string,
  expected: { user: User; api: ScopedApi; client: PublicClient },
): Promise<void> {
  const { payload } = await verifyAccessToken(t, token, {
    version: 2,
    tenantId: t.tenant.id,
    audience: expected.api.application.appId,
  });
  assertUserClaims(payload, {
    version: 2,
    user: expected.user,
    tenantId: t.tenant.id,
    clientId: expected.client.application.appId,
    scp: 'Orders.Read',
  });
  assert.deepEqual(payload.roles, ['Orders.Approver']);
}

export const decodeClientInfo = (value: string): unknown =>
  JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
