import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { registerSecretClient } from '../support/authority.js';
import { testDataDir } from '../support/server.js';
import { multinodeSkip, nodeFetch, startCluster, until } from './support.js';
import type { Cluster, Node } from './support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = ['--import', 'tsx', 'src/cli/tessera.cts'];
const ADDRESS = '127.0.0.4';

/** `tessera start` in a child process, as another node of the cluster; resolves once it listens. */
async function startChildNode(cluster: Cluster, dataDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...entry,
      'start',
      '--host',
      ADDRESS,
      '--port',
      String(cluster.port),
      '--database',
      cluster.database.url,
      '--data',
      dataDir,
      '--log-level',
      'silent',
    ],
    { cwd: root, env: { ...process.env, TESSERA_KEK: cluster.kek }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Tessera is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the child node exited with ${code}: ${stderr}`)));
  });
  return child;
}

describe('a node killed with -9', { skip: multinodeSkip() }, () => {
  let cluster: Cluster;
  let a: Node;
  let child: ChildProcess | undefined;
  let childDir: string;
  before(async () => {
    cluster = await startCluster(1);
    a = cluster.nodes[0] as Node;
    childDir = testDataDir();
  });
  after(async () => {
    child?.kill('SIGKILL');
    await cluster?.stop();
    rmSync(childDir, { recursive: true, force: true });
  });

  it('loses no write it acknowledged, and the others carry on', async () => {
    const writer = await registerSecretClient(a.t, { displayName: 'kill-writer' });
    const subscription = (await a.t.server.tessera.subscriptions.list(a.t.tenant.id))[0];
    assert.ok(subscription);
    await a.t.server.tessera.roleAssignments.create({
      tenantId: a.t.tenant.id,
      scope: `/subscriptions/${subscription.subscriptionId}`,
      roleDefinition: 'Owner',
      principalId: writer.servicePrincipal.objectId,
    });
    const response = await a.post(`${a.t.origin}/${a.t.tenant.id}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: writer.application.appId,
      client_secret: writer.secret,
      scope: 'https://management.azure.com/.default',
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const groupUrl = (name: string) =>
      `${a.t.origin}/subscriptions/${subscription.subscriptionId}/resourcegroups/${name}?api-version=2021-04-01`;

    child = await startChildNode(cluster, childDir);
    const onChild = nodeFetch(ADDRESS);
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    // Four writers keep requests in flight on the child until it dies under them.
    const writers = Array.from({ length: 4 }, async () => {
      while (!killed) {
        const name = `kill-${next++}`;
        const answer = await onChild(groupUrl(name), {
          method: 'PUT',
          headers,
          body: JSON.stringify({ location: 'westus' }),
        }).catch(() => undefined);
        if (answer?.status === 201) acknowledged.push(name);
        else if (answer && !killed) assert.fail(`${name}: ${answer.status} ${await answer.text()}`);
      }
    });
    await until('the child acknowledged 40 writes', () => acknowledged.length >= 40, 60_000, 5);
    const exited = new Promise((resolve) => child?.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    killed = true;
    assert.equal(await exited, 'SIGKILL');
    await Promise.all(writers);

    const stored = new Set(
      (
        await a.t.server.tessera.db
          .selectFrom('resource_groups')
          .select('name')
          .where('name', 'like', 'kill-%')
          .execute()
      ).map((row) => row.name),
    );
    const lost = acknowledged.filter((name) => !stored.has(name));
    assert.deepEqual(lost, [], `acknowledged by the child but not stored: ${lost.join(', ')}`);
    // The surviving node serves what the dead one wrote, and keeps writing.
    for (const name of acknowledged.slice(-5)) {
      assert.equal((await a.fetch(groupUrl(name), { headers })).status, 200, name);
    }
    const after = await a.fetch(groupUrl('after-the-kill'), {
      method: 'PUT',
      headers,
      body: JSON.stringify({ location: 'westus' }),
    });
    assert.equal(after.status, 201, await after.text());
  });
});
