import assert from 'node:assert/strict';
import { mintTokenFor } from '../support/tokens.js';
import { ClientSecretCredential } from '@azure/identity';
import type { Subscription } from '../../src/management/subscriptions.js';
import type { ResourceGroup } from '../../src/management/resourceGroups.js';
import { registerSecretClient } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { assertNoLeak } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

export const ARM_SCOPE = 'https://management.azure.com/.default';

export interface ArmFixture {
  subscription: Subscription;
  resourceGroup: ResourceGroup;
  subscriptionScope: string;
  groupScope: string;
}

export function armFixture(t: TestServer): ArmFixture {
  const bootstrap = t.server.bootstrap;
  if (!bootstrap) throw new Error('the test server must have bootstrapped');
  const subscriptionScope = `/subscriptions/${bootstrap.subscription.subscriptionId}`;
  return {
    subscription: bootstrap.subscription,
    resourceGroup: bootstrap.resourceGroup,
    subscriptionScope,
    groupScope: `${subscriptionScope}/resourceGroups/${bootstrap.resourceGroup.name}`,
  };
}

export const credentialFor = (t: TestServer, client: SecretClient, tenantId = t.tenant.id) =>
  new ClientSecretCredential(tenantId, client.application.appId, client.secret, {
    authorityHost: t.origin,
    disableInstanceDiscovery: true,
  });

export async function tokenFor(t: TestServer, client: SecretClient, tenantId = t.tenant.id): Promise<string> {
  return (await credentialFor(t, client, tenantId).getToken(ARM_SCOPE)).token;
}

/** A service principal holding `role` at `scope` (created in-process), with an ARM token. */
export async function principalWithRole(
  t: TestServer,
  input: { displayName: string; role?: string; scope?: string },
): Promise<SecretClient & { token: string }> {
  const client = await registerSecretClient(t, { displayName: input.displayName });
  if (input.role && input.scope) {
    await t.server.tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: input.scope,
      roleDefinition: input.role,
      principalId: client.servicePrincipal.objectId,
    });
  }
  return { ...client, token: await tokenFor(t, client) };
}

export interface ArmResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/** fetch against Tessera's management API; `body` objects are sent as JSON, strings as they are. */
export async function arm<T = Record<string, unknown>>(
  t: TestServer,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ArmResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${t.origin}${path}`, { method, headers, body });
  const text = await response.text();
  assert.notEqual(response.status, 500, `server error for ${method} ${path}: ${text}`);
  let json: unknown = undefined;
  if (text !== '') json = JSON.parse(text);
  return { status: response.status, headers: response.headers, text, json: json as T };
}

export interface ArmErrorBody {
  error: { code: string; message: string };
}

/** Asserts ARM's error envelope and returns its message. */
export function expectArmError(
  response: ArmResponse,
  status: number,
  code: string,
  message?: string,
): string {
  assert.equal(response.status, status, response.text);
  assertNoLeak(response.text);
  const body = response.json as ArmErrorBody;
  assert.deepEqual(Object.keys(body), ['error'], response.text);
  assert.equal(body.error.code, code, response.text);
  if (message !== undefined) assert.equal(body.error.message, message);
  assert.match(response.headers.get('x-ms-request-id') ?? '', /^[0-9a-f-]{36}$/);
  return body.error.message;
}

/** An access token signed with Tessera's own key, with claims of the test's choosing. */
export const mintToken = (t: TestServer, claims: Record<string, unknown>): Promise<string> =>
  mintTokenFor(t, 'https://management.azure.com/', claims);

export const API = {
  resourceGroups: 'api-version=2021-04-01',
  subscriptions: 'api-version=2022-12-01',
  roleAssignments: 'api-version=2022-04-01',
  roleDefinitions: 'api-version=2022-04-01',
  denyAssignments: 'api-version=2022-04-01',
  configurationStores: 'api-version=2024-05-01',
  mediaservices: 'api-version=2023-01-01',
};

/** A test server, its ARM fixture and a token of a principal that is Owner of the subscription. */
export async function startArmAsOwner(): Promise<{ t: TestServer; f: ArmFixture; token: string }> {
  const t = await startTestServer();
  const f = armFixture(t);
  const { token } = await principalWithRole(t, {
    displayName: 'owner',
    role: 'Owner',
    scope: f.subscriptionScope,
  });
  return { t, f, token };
}
