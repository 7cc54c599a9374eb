import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mediaCaller, uploadAsset } from '../media/support.js';
import type { MediaFixture } from '../media/support.js';
import { multinodeSkip, startCluster } from './support.js';
import type { Cluster } from './support.js';

const ACCOUNT = 'sharedmedia';
const NAME = 'payload.bin';

/**
 * Media Services blobs on a folder every node shares (`--media-dir`): what one node stored,
 * another serves, and no node keeps a copy of its own.
 */
describe('Media Services blobs on a shared folder', { skip: multinodeSkip() }, () => {
  let cluster: Cluster;
  let f: MediaFixture;
  let token: string;
  const work = mkdtempSync(join(tmpdir(), 'tessera-shared-media-test-'));
  const payload = randomBytes(256 * 1024);

  before(async () => {
    cluster = await startCluster(2);
    const a = cluster.nodes[0]!.t;
    const bootstrap = a.server.bootstrap;
    if (!bootstrap) throw new Error('the first node must have bootstrapped');
    const { account } = await a.server.tessera.mediaServices.createOrUpdate({
      subscriptionId: bootstrap.subscription.subscriptionId,
      resourceGroup: bootstrap.resourceGroup.name,
      name: ACCOUNT,
      location: 'westus',
    });
    f = { t: a, account: ACCOUNT, scope: account.id, api: `${a.origin}/media/${ACCOUNT}/api/` };
    token = (await mediaCaller(f, { displayName: 'shared-media', role: 'Contributor' })).token;
  });
  after(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('an asset uploaded through node A is read back through node B', async () => {
    const file = join(work, NAME);
    writeFileSync(file, payload);
    // `localhost` is 127.0.0.1: node A.
    const asset = await uploadAsset(f, token, file, NAME);
    const b = cluster.nodes[1]!;
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await b.fetch(`${f.api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'content-type': 'application/json',
          'x-ms-version': '2.19',
          dataserviceversion: '3.0',
          maxdataserviceversion: '3.0',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      assert.equal(response.status, 201, text);
      return JSON.parse(text) as T;
    };
    const policy = await api<{ Id: string }>('POST', 'AccessPolicies', {
      Name: 'read',
      DurationInMinutes: '60',
      Permissions: '1',
    });
    const locator = await api<{ BaseUri: string; ContentAccessComponent: string }>('POST', 'Locators', {
      AccessPolicyId: policy.Id,
      AssetId: asset.Id,
      StartTime: new Date(Date.now() - 60_000).toISOString(),
      Type: 1,
    });
    const read = await b.fetch(`${locator.BaseUri}/${NAME}${locator.ContentAccessComponent}`, {
      headers: { 'x-ms-version': '2015-02-21' },
    });
    assert.equal(read.status, 200);
    assert.ok(Buffer.from(await read.arrayBuffer()).equals(payload), 'node B serves the bytes node A stored');
    assert.ok(existsSync(join(cluster.mediaDir, 'blobs')), 'blobs live in the shared folder');
    for (const node of cluster.nodes)
      assert.ok(!existsSync(join(node.t.dataDir, 'media', 'blobs')), 'no node keeps blobs of its own');
  });
});
