import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { originWithPort } from '../../src/server/origins.js';
import { Tessera } from '../../src/tessera.js';
import { armFixture, credentialFor } from '../management/support.js';
import { registerSecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

/** What a store's origin answers without credentials: its own 401, or nothing when nobody listens. */
async function probe(origin: string): Promise<number | 'refused'> {
  try {
    return (await fetch(`${origin}/kv?api-version=2023-11-01`)).status;
  } catch {
    return 'refused';
  }
}

async function eventually(origin: string, wanted: number | 'refused'): Promise<void> {
  let last: number | 'refused' = 'refused';
  // The server polls the store every second: a few of its polls, bounded.
  for (let attempt = 0; attempt < 40; attempt++) {
    last = await probe(origin);
    if (last === wanted) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  assert.fail(`${origin} answered ${last}, not ${wanted}`);
}

function holdPort(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve(server));
  });
}

describe('resources that are origins of their own', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('a store made by another process (the CLI) is listened on, and closed when deleted', async () => {
    const f = armFixture(t);
    // A second opening of the data folder, as `tessera appconfig create` does beside a running server.
    const cli = await Tessera.open({ dataDir: t.dataDir });
    try {
      const { store } = await cli.configurationStores.createOrUpdate({
        subscriptionId: f.subscription.subscriptionId,
        resourceGroup: f.resourceGroup.name,
        name: 'cli-store',
        location: 'westus',
        sku: 'free',
      });
      assert.ok(store.port);
      const origin = originWithPort(t.origin, store.port);
      await eventually(origin, 401);
      await cli.configurationStores.delete(f.subscription.subscriptionId, f.resourceGroup.name, 'cli-store');
      await eventually(origin, 'refused');
    } finally {
      await cli.close();
    }
  });

  it('keeps its port across restarts, and waits for a port another program holds', async () => {
    const f = armFixture(t);
    const { store } = await t.server.tessera.configurationStores.createOrUpdate({
      subscriptionId: f.subscription.subscriptionId,
      resourceGroup: f.resourceGroup.name,
      name: 'kept-store',
      location: 'westus',
      sku: 'free',
    });
    assert.ok(store.port);
    const origin = originWithPort(t.origin, store.port);
    // Created through the server: listened on before the creation returned.
    assert.equal(await probe(origin), 401);

    await t.server.close();
    const squatter = await holdPort(store.port);
    try {
      await t.restart();
      // The store is still served path-style while its port is taken.
      const pathStyle = await fetch(`${t.origin}/appconfig/kept-store/kv?api-version=2023-11-01`);
      assert.equal(pathStyle.status, 401);
      const again = await t.server.tessera.configurationStores.findByName('kept-store');
      assert.equal(again?.port, store.port);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    await eventually(origin, 401);
  });
});

describe("Microsoft Graph's own origin", () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('is advertised to az, resolves to Graph at the authority, and serves Graph alone', async () => {
    const metadata = (await (
      await fetch(`${t.origin}/metadata/endpoints?api-version=2022-09-01`)
    ).json()) as {
      microsoftGraphResourceId: string;
    };
    const graph = metadata.microsoftGraphResourceId;
    assert.match(graph, /^https:\/\/localhost:\d+\/$/);
    assert.equal(graph, `${originWithPort(t.origin, await t.server.tessera.resourcePorts.graphPort())}/`);

    const client = await registerSecretClient(t, { displayName: 'graph-reader' });
    const token = await credentialFor(t, client).getToken(`${graph}/.default`);
    const claims = JSON.parse(Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString()) as {
      aud: string;
      appid: string;
    };
    assert.equal(claims.aud, graph);
    const bearer = { authorization: `Bearer ${token.token}` };
    // Authenticated as Graph's audience: without an application permission, Graph's own 403.
    const users = await fetch(`${graph}v1.0/users`, { headers: bearer });
    assert.equal(users.status, 403);
    assert.equal(
      ((await users.json()) as { error: { code: string } }).error.code,
      'Authorization_RequestDenied',
    );
    // Any other path on Graph's origin is a segment Graph does not know, never the management API.
    const stray = await fetch(`${graph}subscriptions?api-version=2022-12-01`, { headers: bearer });
    assert.equal(stray.status, 400);
    // And the token names Graph only: ARM refuses it.
    const arm = await fetch(`${t.origin}/subscriptions?api-version=2022-12-01`, { headers: bearer });
    assert.equal(arm.status, 401);
  });
});
