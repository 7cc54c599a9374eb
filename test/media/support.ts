import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { registerSecretClient } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

export const MEDIA_SCOPE = 'https://rest.media.azure.net/.default';

export interface MediaFixture {
  t: TestServer;
  account: string;
  /** The account's ARM id: the scope roles are assigned at. */
  scope: string;
  api: string;
}

/** A server with one Media Services account in the bootstrap resource group. */
export async function startMedia(account = 'media1'): Promise<MediaFixture> {
  const t = await startTestServer();
  const bootstrap = t.server.bootstrap;
  if (!bootstrap) throw new Error('the test server must have bootstrapped');
  const { account: created } = await t.server.tessera.mediaServices.createOrUpdate({
    subscriptionId: bootstrap.subscription.subscriptionId,
    resourceGroup: bootstrap.resourceGroup.name,
    name: account,
    location: 'westus',
  });
  return { t, account, scope: created.id, api: `${t.origin}/media/${account}/api/` };
}

/** A service principal, with `role` on `scope` when given, and a Media Services token from @azure/identity. */
export async function mediaCaller(
  f: MediaFixture,
  input: { displayName: string; role?: string; scope?: string },
): Promise<SecretClient & { token: string; credential: ClientSecretCredential }> {
  const client = await registerSecretClient(f.t, { displayName: input.displayName });
  if (input.role) {
    await f.t.server.tessera.roleAssignments.create({
      tenantId: f.t.tenant.id,
      scope: input.scope ?? f.scope,
      roleDefinition: input.role,
      principalId: client.servicePrincipal.objectId,
    });
  }
  const credential = new ClientSecretCredential(f.t.tenant.id, client.application.appId, client.secret, {
    authorityHost: f.t.origin,
    disableInstanceDiscovery: true,
  });
  const token = (await credential.getToken(MEDIA_SCOPE)).token;
  return { ...client, token, credential };
}

export interface MediaResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export type Dialect = 'minimal' | 'verbose' | 'atom';
const ACCEPT: Record<Dialect, string> = {
  minimal: 'application/json',
  verbose: 'application/json;odata=verbose',
  atom: 'application/atom+xml',
};

/** A request of the v2 API as the RestSharp/Postman clients send it. */
export async function media<T = Record<string, unknown>>(
  f: MediaFixture,
  token: string | undefined,
  method: string,
  path: string,
  options: { body?: unknown; dialect?: Dialect; headers?: Record<string, string> } = {},
): Promise<MediaResponse<T>> {
  const headers: Record<string, string> = {
    'x-ms-version': '2.19',
    accept: ACCEPT[options.dialect ?? 'minimal'],
    dataserviceversion: '3.0',
    maxdataserviceversion: '3.0',
    ...options.headers,
  };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??=
      options.dialect === 'verbose' ? 'application/json;odata=verbose' : 'application/json';
  }
  const response = await fetch(path.startsWith('https://') ? path : `${f.api}${path}`, {
    method,
    headers,
    body,
  });
  const text = await response.text();
  assert.notEqual(response.status, 500, `server error for ${method} ${path}: ${text}`);
  let json: unknown = undefined;
  if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(text);
  return { status: response.status, headers: response.headers, text, json: json as T };
}

/** Asserts an OData error (minimal dialect) and returns its message. */
export function expectODataError(response: MediaResponse, status: number, code?: string): string {
  assert.equal(response.status, status, response.text);
  const body = response.json as {
    'odata.error'?: { code: string; message: { lang: string; value: string } };
  };
  assert.ok(body?.['odata.error'], response.text);
  if (code !== undefined) assert.equal(body['odata.error'].code, code);
  return body['odata.error'].message.value;
}

/** ffmpeg's arguments for a small H.264 + AAC MP4 test clip (a test pattern and a tone). */
export function clipArgs(
  path: string,
  options: { seconds?: number; width?: number; height?: number } = {},
): string[] {
  const { seconds = 2, width = 320, height = 240 } = options;
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc=duration=${seconds}:size=${width}x${height}:rate=25`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-preset',
    'veryfast',
    '-c:a',
    'aac',
    '-shortest',
    '-movflags',
    '+faststart',
    path,
  ];
}

/**
 * A clip made synchronously: only where no server request or job is in flight (a `before` hook),
 * since the server under test shares this process.
 */
export function makeClip(options: { seconds?: number; width?: number; height?: number } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-clip-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'BigBuckBunny.mp4');
  execFileSync('ffmpeg', clipArgs(path, options), { stdio: 'ignore' });
  return path;
}

/**
 * An upload as the v2 samples make it: an asset, a write policy, a SAS locator, Put Blob to the
 * container it names, CreateFileInfos, then the locator and policy deleted.
 */
export async function uploadAsset(
  f: MediaFixture,
  token: string,
  file: string,
  name = 'BigBuckBunny.mp4',
): Promise<{ Id: string; [property: string]: unknown }> {
  const asset = await media<{ Id: string }>(f, token, 'POST', 'Assets', {
    body: { Name: name, Options: '0' },
  });
  assert.equal(asset.status, 201, asset.text);
  const policy = await media<{ Id: string }>(f, token, 'POST', 'AccessPolicies', {
    body: { Name: 'write', DurationInMinutes: '440', Permissions: '2' },
  });
  assert.equal(policy.status, 201, policy.text);
  const locator = await media<{ Id: string; BaseUri: string; ContentAccessComponent: string }>(
    f,
    token,
    'POST',
    'Locators',
    {
      body: {
        AccessPolicyId: policy.json.Id,
        AssetId: asset.json.Id,
        StartTime: new Date(Date.now() - 60_000).toISOString(),
        Type: 1,
      },
    },
  );
  assert.equal(locator.status, 201, locator.text);
  const put = await fetch(`${locator.json.BaseUri}/${name}${locator.json.ContentAccessComponent}`, {
    method: 'PUT',
    headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2015-02-21', 'content-type': 'video/mp4' },
    body: await readFile(file),
  });
  assert.equal(put.status, 201, await put.text());
  const key = (set: string, id: string) => `${set}('${encodeURIComponent(id)}')`;
  const infos = await media(
    f,
    token,
    'GET',
    `CreateFileInfos?assetid='${encodeURIComponent(asset.json.Id)}'`,
  );
  assert.equal(infos.status, 204, infos.text);
  assert.equal((await media(f, token, 'DELETE', key('Locators', locator.json.Id))).status, 204);
  assert.equal((await media(f, token, 'DELETE', key('AccessPolicies', policy.json.Id))).status, 204);
  return asset.json;
}
