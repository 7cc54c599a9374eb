import assert from 'node:assert/strict';
import { mintTokenFor } from '../support/tokens.js';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { after, before, describe } from 'node:test';
import { AppConfigurationClient } from '@azure/app-configuration';
import { ClientSecretCredential } from '@azure/identity';
import { API, arm, armFixture, principalWithRole } from '../management/support.js';
import { registerSecretClient } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

/** The two ways to call a store: an access key's connection string (HMAC) or an Entra ID token. */
export const AUTH_MODES = ['hmac', 'bearer'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const DATA_OWNER = 'App Configuration Data Owner';
export const DATA_READER = 'App Configuration Data Reader';
/** What @azure/app-configuration asks for when the endpoint is not an Azure one. */
export const SDK_SCOPE = 'https://appconfig.azure.com/.default';
export const API_VERSION = '2026-04-01';

export interface StoreFixture {
  t: TestServer;
  name: string;
  /** The store's ARM id (the RBAC scope of its data actions). */
  id: string;
  /** Path-style: `https://localhost:<port>/appconfig/<name>`. */
  endpoint: string;
}

export interface AccessKeyJson {
  id: string;
  name: string;
  value: string;
  connectionString: string;
  readOnly: boolean;
}

/** A store created through the management API, as a user would with az or the ARM SDK. */
export async function createStore(t: TestServer, name: string): Promise<StoreFixture> {
  const f = armFixture(t);
  const owner = await principalWithRole(t, {
    displayName: `owner-${name}`,
    role: 'Owner',
    scope: f.subscriptionScope,
  });
  const id = `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores/${name}`;
  const created = await arm<{ properties: { endpoint: string } }>(
    t,
    'PUT',
    `${id}?${API.configurationStores}`,
    {
      token: owner.token,
      body: { location: 'westus', sku: { name: 'standard' } },
    },
  );
  assert.equal(created.status, 201, created.text);
  return { t, name, id, endpoint: created.json.properties.endpoint };
}

/** The store's access keys from the management API's listKeys (an Owner's call). */
export async function listKeys(store: StoreFixture): Promise<AccessKeyJson[]> {
  const f = armFixture(store.t);
  const owner = await principalWithRole(store.t, {
    displayName: `keys-${store.name}`,
    role: 'Owner',
    scope: f.subscriptionScope,
  });
  const response = await arm<{ value: AccessKeyJson[] }>(
    store.t,
    'POST',
    `${store.id}/listKeys?${API.configurationStores}`,
    { token: owner.token },
  );
  assert.equal(response.status, 200, response.text);
  return response.json.value;
}

export async function connectionString(store: StoreFixture, readOnly = false): Promise<string> {
  const key = (await listKeys(store)).find((k) => k.readOnly === readOnly);
  if (!key) throw new Error('the store has no such key');
  return key.connectionString;
}

/** A service principal holding `role` on the store, and its credential from Tessera's authority. */
export async function principalOnStore(
  store: StoreFixture,
  role: string | undefined,
  displayName: string,
): Promise<SecretClient & { credential: ClientSecretCredential }> {
  const client = await registerSecretClient(store.t, { displayName });
  if (role) {
    await store.t.server.tessera.roleAssignments.create({
      tenantId: store.t.tenant.id,
      scope: store.id,
      roleDefinition: role,
      principalId: client.servicePrincipal.objectId,
    });
  }
  const credential = new ClientSecretCredential(store.t.tenant.id, client.application.appId, client.secret, {
    authorityHost: store.t.origin,
    disableInstanceDiscovery: true,
  });
  return { ...client, credential };
}

/** The official SDK, as an application would build it, in either auth mode. */
export async function sdkClient(store: StoreFixture, mode: AuthMode): Promise<AppConfigurationClient> {
  if (mode === 'hmac') return new AppConfigurationClient(await connectionString(store));
  const owner = await principalOnStore(store, DATA_OWNER, `data-owner-${store.name}`);
  return new AppConfigurationClient(store.endpoint, owner.credential);
}

/** One suite per auth mode: the same scenario, run once with HMAC and once with bearer tokens. */
export function forEachAuthMode(
  title: string,
  define: (fixture: () => { store: StoreFixture; client: AppConfigurationClient }, mode: AuthMode) => void,
): void {
  for (const mode of AUTH_MODES) {
    describe(`${title} (${mode})`, () => {
      let t: TestServer;
      let store: StoreFixture;
      let client: AppConfigurationClient;
      before(async () => {
        t = await startTestServer();
        store = await createStore(t, `store-${mode}`);
        client = await sdkClient(store, mode);
      });
      after(async () => t.stop());
      define(() => ({ store, client }), mode);
    });
  }
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * A raw HTTPS request to the test server with full control of method, path, headers (Host
 * included) and body. TLS is verified against the run's CA, for the name localhost.
 */
export function rawRequest(
  t: TestServer,
  input: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const caPath = process.env.NODE_EXTRA_CA_CERTS;
  if (!caPath) throw new Error('NODE_EXTRA_CA_CERTS is not set: run the tests with `node scripts/test.mjs`');
  const headers: Record<string, string> = { host: `localhost:${t.server.port}`, ...input.headers };
  if (input.body !== undefined) headers['content-length'] = String(Buffer.byteLength(input.body));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: t.server.port,
        path: input.path,
        method: input.method ?? 'GET',
        servername: 'localhost',
        ca: readFileSync(caPath),
        agent: false,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(input.body);
  });
}

/** A bearer token for the SDK's default audience, from Tessera's authority. */
export async function sdkToken(credential: ClientSecretCredential, scope = SDK_SCOPE): Promise<string> {
  return (await credential.getToken(scope)).token;
}

/** An access token signed with Tessera's own key, with claims of the test's choosing. */
export const mintToken = (t: TestServer, claims: Record<string, unknown>): Promise<string> =>
  mintTokenFor(t, 'https://appconfig.azure.com', claims);

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export interface HmacKey {
  id: string;
  /** base64 */
  secret: string;
}

export function parseConnectionString(connection: string): HmacKey & { endpoint: string } {
  const match = /^Endpoint=(.*);Id=(.*);Secret=(.*)$/.exec(connection);
  if (!match?.[1] || !match[2] || !match[3]) throw new Error(`not a connection string: ${connection}`);
  return { endpoint: match[1], id: match[2], secret: match[3] };
}

/**
 * A request signed as the documentation (and the SDK) does; `tamper` changes the signed parts
 * after signing, to exercise each failure.
 */
export function signedRequest(
  t: TestServer,
  key: HmacKey,
  input: {
    method?: string;
    path: string;
    body?: string;
    host?: string;
    date?: Date;
    signedHeaders?: string;
    extraHeaders?: Record<string, string>;
    authorization?: (parts: { credential: string; signedHeaders: string; signature: string }) => string;
  },
): Promise<RawResponse> {
  const method = input.method ?? 'GET';
  const host = input.host ?? `localhost:${t.server.port}`;
  const date = (input.date ?? new Date()).toUTCString();
  const contentHash = createHash('sha256')
    .update(input.body ?? '')
    .digest('base64');
  const headers: Record<string, string> = {
    host,
    'x-ms-date': date,
    'x-ms-content-sha256': contentHash,
    ...(input.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...input.extraHeaders,
  };
  const signedHeaders = input.signedHeaders ?? 'x-ms-date;host;x-ms-content-sha256';
  const values = signedHeaders.split(';').map((h) => headers[h] ?? '');
  const stringToSign = `${method}\n${input.path}\n${values.join(';')}`;
  const signature = createHmac('sha256', Buffer.from(key.secret, 'base64'))
    .update(stringToSign)
    .digest('base64');
  const parts = { credential: key.id, signedHeaders, signature };
  headers.authorization =
    input.authorization?.(parts) ??
    `HMAC-SHA256 Credential=${parts.credential}&SignedHeaders=${parts.signedHeaders}&Signature=${parts.signature}`;
  return rawRequest(t, { method, path: input.path, headers, body: input.body });
}
