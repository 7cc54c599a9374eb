import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { startTestServer, storeArgs } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { runCli } from './support.js';
import type { RbacOutput } from './support.js';

describe('the CLI next to a running server', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  const cli = (...args: string[]) => runCli([...args, ...storeArgs(t)]);

  it('creates credentials the running server accepts at once', async () => {
    const result = await cli('ad', 'sp', 'create-for-rbac', '--name', 'live');
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as RbacOutput;
    assert.equal(out.tenant, t.tenant.id);

    const response = await fetch(`${t.origin}/${out.tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: out.appId,
        client_secret: out.password ?? '',
        scope: 'https://management.azure.com/.default',
      }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const token = (await response.json()) as { access_token: string };
    const claims = decodeJwt(token.access_token);
    assert.equal(claims.appid, out.appId);
    assert.equal(claims.tid, t.tenant.id);

    // The server's own instance reads what the CLI wrote.
    assert.ok(await t.server.tessera.directory.applications.findByAppId(out.appId));
  });

  it('sees what the server process wrote', async () => {
    const { application } = await t.server.tessera.directory.registerApplication(t.tenant, {
      displayName: 'made-by-server',
    });
    const shown = await cli('ad', 'app', 'show', '--id', application.appId);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout) as { displayName: string }).displayName, 'made-by-server');
  });

  it('rotates keys while the server runs; the new key is published', async () => {
    const rotated = await cli('keys', 'rotate');
    assert.equal(rotated.code, 0, rotated.stderr);
    const { kid } = JSON.parse(rotated.stdout) as { kid: string };
    const jwks = (await (await fetch(`${t.origin}/${t.tenant.id}/discovery/v2.0/keys`)).json()) as {
      keys: Array<{ kid: string }>;
    };
    assert.ok(jwks.keys.some((k) => k.kid === kid));
  });
});
