import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { SigningKeys } from '../../src/authority/tokens/signingKeys.js';
import { KeyEncryption } from '../../src/store/keyEncryption.js';
import { Tessera } from '../../src/tessera.js';
import { registerSecretClient } from '../support/authority.js';
import { testStoreLocation } from '../support/database.js';
import { startTestServer } from '../support/server.js';
import { multinodeSkip, startCluster, until } from './support.js';
import type { Cluster, Node } from './support.js';

const ARM = 'https://management.azure.com/.default';

/** The certificate a node serves, by its SHA-256 fingerprint. */
function servedCertificate(node: Node, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: node.address, port, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

async function clientCredentialsToken(
  node: Node,
  client: { appId: string; secret: string },
): Promise<string> {
  const response = await node.post(`${node.t.origin}/${node.t.tenant.id}/oauth2/v2.0/token`, {
    grant_type: 'client_credentials',
    client_id: client.appId,
    client_secret: client.secret,
    scope: ARM,
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!body.access_token) throw new Error(`no token from ${node.address}: ${body.error_description ?? ''}`);
  return body.access_token;
}

describe('three nodes starting at once on a fresh PostgreSQL database', { skip: multinodeSkip() }, () => {
  let cluster: Cluster;
  const db = () => cluster.nodes[0]!.t.server.tessera.db;
  before(async () => {
    cluster = await startCluster(3, { atOnce: true });
  });
  after(async () => cluster?.stop());

  it('bootstraps once: one tenant, one administrator, one active signing key', async () => {
    assert.equal(cluster.nodes.filter((node) => node.t.server.bootstrap !== undefined).length, 1);
    const tenants = await db().selectFrom('tenants').select('id').where('kind', '=', 'customer').execute();
    assert.equal(tenants.length, 1);
    for (const node of cluster.nodes) assert.equal(node.t.tenant.id, tenants[0]?.id);
    const users = await db().selectFrom('users').select('user_principal_name').execute();
    assert.deepEqual(
      users.map((u) => u.user_principal_name),
      ['admin@tessera.onmicrosoft.com'],
    );
    const active = await db()
      .selectFrom('signing_keys')
      .select('kid')
      .where('retired_at', 'is', null)
      .execute();
    assert.equal(active.length, 1);
    for (const node of cluster.nodes)
      assert.equal((await node.t.server.tessera.keys.current()).kid, active[0]?.kid);
  });

  it('serves one server certificate on every node, kept in the database with its key sealed', async () => {
    const served = await Promise.all(cluster.nodes.map((node) => servedCertificate(node, cluster.port)));
    assert.equal(new Set(served).size, 1, served.join(' '));
    const { rows } = await sql<{ name: string; private_key_pem: string }>`
      select name, private_key_pem from shared_tls order by name`.execute(db());
    assert.deepEqual(
      rows.map((row) => row.name),
      ['ca', 'server'],
    );
    for (const row of rows) {
      assert.ok(KeyEncryption.isSealed(row.private_key_pem));
      assert.doesNotMatch(row.private_key_pem, /PRIVATE KEY/);
    }
  });

  it('each node issues tokens that every other node accepts', async () => {
    const [first] = cluster.nodes;
    assert.ok(first);
    const { application, servicePrincipal, secret } = await registerSecretClient(first.t, {
      displayName: 'spread',
    });
    const subscription = (await first.t.server.tessera.subscriptions.list(first.t.tenant.id))[0];
    assert.ok(subscription);
    await first.t.server.tessera.roleAssignments.create({
      tenantId: first.t.tenant.id,
      scope: `/subscriptions/${subscription.subscriptionId}`,
      roleDefinition: 'Reader',
      principalId: servicePrincipal.objectId,
    });
    const client = { appId: application.appId, secret };
    for (const issuer of cluster.nodes) {
      // The new application reaches the other nodes' read caches through the change feed.
      let token = '';
      await until(`${issuer.address} knows the client`, async () => {
        token = await clientCredentialsToken(issuer, client).catch(() => '');
        return token !== '';
      });
      for (const verifier of cluster.nodes) {
        const response = await verifier.fetch(
          `${verifier.t.origin}/subscriptions/${subscription.subscriptionId}?api-version=2022-12-01`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        assert.equal(
          response.status,
          200,
          `${issuer.address} → ${verifier.address}: ${await response.text()}`,
        );
      }
    }
    const jwks = await Promise.all(
      cluster.nodes.map(async (node) =>
        (await node.fetch(`${node.t.origin}/${node.t.tenant.id}/discovery/v2.0/keys`)).text(),
      ),
    );
    assert.equal(new Set(jwks).size, 1);
  });

  it('rotations on every node at once leave one active key, the one every node signs with', async () => {
    const rotated = await Promise.all(cluster.nodes.map((node) => node.t.server.tessera.keys.rotate()));
    const active = await db()
      .selectFrom('signing_keys')
      .select('kid')
      .where('retired_at', 'is', null)
      .execute();
    assert.equal(active.length, 1);
    assert.ok(rotated.some((r) => r.kid === active[0]?.kid));
    const kids = await Promise.all(
      cluster.nodes.map(async (node) => (await node.t.server.tessera.keys.current()).kid),
    );
    assert.deepEqual(
      kids,
      kids.map(() => active[0]?.kid),
    );
    // Each rotation retired exactly the key the one before it made.
    assert.equal(
      rotated.reduce((n, r) => n + r.retired.length, 0),
      3,
    );
  });

  it('picks the same key on every node when two active keys share a second (a store from before)', async () => {
    const [current] = await db()
      .selectFrom('signing_keys')
      .select(['kid', 'private_key_pem', 'certificate_pem', 'created_at'])
      .where('retired_at', 'is', null)
      .execute();
    assert.ok(current);
    // A second active key made in the same second, as two unserialised nodes once could.
    const twin = await new SigningKeys(db(), cluster.nodes[0]!.t.server.tessera.sealing).rotate();
    await db()
      .updateTable('signing_keys')
      .set({ retired_at: null, created_at: current.created_at })
      .where('kid', 'in', [current.kid, twin.kid])
      .execute();
    const chosen = await Promise.all(
      cluster.nodes.map(
        async (node) =>
          (await new SigningKeys(node.t.server.tessera.db, node.t.server.tessera.sealing).current()).kid,
      ),
    );
    const expected = [current.kid, twin.kid].sort().at(-1);
    assert.deepEqual(
      chosen,
      chosen.map(() => expected),
    );
    const published = await Promise.all(
      cluster.nodes.map(async (node) => (await node.t.server.tessera.keys.published()).map((key) => key.kid)),
    );
    assert.equal(new Set(published.map((kids) => kids.join())).size, 1);
    // Back to one active key for whatever runs next.
    await cluster.nodes[0]!.t.server.tessera.keys.rotate();
  });

  it('refuses to start a node whose key-encryption key is not the one the database was sealed with', async () => {
    await assert.rejects(
      startTestServer({
        databaseUrl: cluster.database.url,
        kek: randomBytes(32).toString('base64'),
        host: '127.0.0.9',
        port: 0,
      }),
      (error: Error) => {
        assert.match(
          error.message,
          /cannot be opened: the key-encryption key .* is not the one it was sealed with/,
        );
        assert.match(error.message, /Every process on one database needs the same key.*TESSERA_KEK/);
        return true;
      },
    );
  });
});

describe('first-run set-up from several processes at once (PostgreSQL)', { skip: multinodeSkip() }, () => {
  it('bootstraps once and creates one first signing key, however the calls interleave', async () => {
    const location = await testStoreLocation('postgres');
    const kek = randomBytes(32).toString('base64');
    const previous = process.env.TESSERA_KEK;
    process.env.TESSERA_KEK = kek;
    const opened = await Promise.all([1, 2, 3].map(() => Tessera.open({ ...location, poolSize: 2 })));
    try {
      const bootstraps = await Promise.all(opened.map((tessera) => tessera.bootstrap()));
      assert.equal(bootstraps.filter(Boolean).length, 1);
      // The first key, asked for everywhere at once before anyone has one.
      const [first] = opened;
      assert.ok(first);
      await first.db.deleteFrom('signing_keys').execute();
      const fresh = opened.map((tessera) => new SigningKeys(tessera.db, tessera.sealing));
      const kids = await Promise.all(fresh.map(async (keys) => (await keys.current()).kid));
      assert.equal(new Set(kids).size, 1);
      const rows = await first.db.selectFrom('signing_keys').select('kid').execute();
      assert.equal(rows.length, 1);
      const tenants = await first.db
        .selectFrom('tenants')
        .select('id')
        .where('kind', '=', 'customer')
        .execute();
      assert.equal(tenants.length, 1);
    } finally {
      for (const tessera of opened) await tessera.close();
      if (previous === undefined) delete process.env.TESSERA_KEK;
      else process.env.TESSERA_KEK = previous;
      await location.dispose();
    }
  });
});
