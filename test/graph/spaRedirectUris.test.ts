import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import type { GraphUser } from './support.js';
import { INSUFFICIENT, expectGraphError, expectOk, graph, graphUser } from './support.js';

type Json = Record<string, unknown>;

const SPA = ['https://spa.example.test/', 'http://localhost:3000/auth'];

describe('Microsoft Graph: an application’s single-page application redirect URIs (spa)', () => {
  let t: TestServer;
  let admin: GraphUser;
  let member: GraphUser;

  before(async () => {
    t = await startTestServer();
    [admin, member] = await Promise.all([
      graphUser(t, 'appadmin', ['applicationAdministrator']),
      graphUser(t, 'member'),
    ]);
  });
  after(() => t.stop());

  const spaOf = async (id: string) =>
    (expectOk(await graph(t, admin.token, 'GET', `applications/${id}?$select=spa`)).spa as Json).redirectUris;
  const patch = (id: string, body: Json, token = admin.token) =>
    graph(t, token, 'PATCH', `applications/${id}`, { body });

  test('create, GET and $select, PATCH: the URIs round-trip and reach the directory and the principal', async () => {
    const created = expectOk(
      await graph(t, admin.token, 'POST', 'applications', {
        body: { displayName: 'spa-app', spa: { redirectUris: SPA } },
      }),
      201,
    );
    const id = String(created.id);
    assert.deepEqual((created.spa as Json).redirectUris, SPA);
    assert.deepEqual(await spaOf(id), SPA);
    const app = await t.server.tessera.directory.applications.findInTenant(t.tenant.id, id);
    assert.deepEqual(app?.spaRedirectUris, SPA);

    // PATCH replaces the list; the other platforms are untouched, and the principal lists it.
    const next = ['https://spa.example.test/callback'];
    assert.equal(
      (
        await patch(id, {
          spa: { '@odata.type': 'microsoft.graph.spaApplication', redirectUris: next },
          web: { redirectUris: ['https://web.example.test/cb'] },
        })
      ).status,
      204,
    );
    assert.deepEqual(await spaOf(id), next);
    const sp = expectOk(
      await graph(t, admin.token, 'POST', 'servicePrincipals', { body: { appId: created.appId } }),
      201,
    );
    assert.deepEqual((sp.replyUrls as string[]).sort(), [
      'https://spa.example.test/callback',
      'https://web.example.test/cb',
    ]);
    // Emptying it is a change like any other.
    assert.equal((await patch(id, { spa: { redirectUris: [] } })).status, 204);
    assert.deepEqual(await spaOf(id), []);
  });

  test('Graph’s rules: https or http://localhost, 256 characters, no fragment or wildcard, none twice', async () => {
    const id = String(
      expectOk(
        await graph(t, admin.token, 'POST', 'applications', {
          body: { displayName: 'spa-rules', spa: { redirectUris: [SPA[0]] } },
        }),
        201,
      ).id,
    );
    const refused: Array<[string[], RegExp]> = [
      [['http://spa.example.test/'], /must use https; only http:\/\/localhost/],
      [[`https://spa.example.test/${'a'.repeat(240)}`], /longer than 256 characters/],
      [
        ['https://spa.example.test/#/callback'],
        /must not contain user information, a fragment or a wildcard/,
      ],
      [['https://*.example.test/'], /must not contain user information, a fragment or a wildcard/],
      [['https://user@spa.example.test/'], /must not contain user information/],
      [['/relative/path'], /is not an absolute URI/],
      [['urn:ietf:wg:oauth:2.0:oob'], /must use https/],
      [['https://spa.example.test/', 'https://spa.example.test/'], /is listed twice/],
    ];
    for (const [uris, message] of refused) {
      expectGraphError(await patch(id, { spa: { redirectUris: uris } }), 400, 'Request_BadRequest', message);
    }
    // 256 characters exactly, and http on 127.0.0.1, are Entra's edge cases that pass.
    const longest = `https://spa.example.test/${'a'.repeat(256 - 'https://spa.example.test/'.length)}`;
    assert.equal(
      (await patch(id, { spa: { redirectUris: [longest, 'http://127.0.0.1:5173/'] } })).status,
      204,
    );
    assert.deepEqual(await spaOf(id), [longest, 'http://127.0.0.1:5173/']);

    // Payload shapes: Graph's own refusals, and nothing changed by any of them.
    expectGraphError(
      await patch(id, { spa: { redirectUris: 'https://spa.example.test/' } }),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'redirectUris' of resource 'Application'.",
    );
    expectGraphError(
      await patch(id, { spa: ['https://spa.example.test/'] }),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'spa' of resource 'Application'.",
    );
    expectGraphError(
      await patch(id, { spa: { redirectUris: [], logoutUrl: 'https://x.test/' } }),
      400,
      'BadRequest',
      /The property 'logoutUrl' does not exist on type 'microsoft.graph.spaApplication'/,
    );
    // A refused create leaves no application behind.
    expectGraphError(
      await graph(t, admin.token, 'POST', 'applications', {
        body: { displayName: 'spa-refused', spa: { redirectUris: ['http://spa.example.test/'] } },
      }),
      400,
      'Request_BadRequest',
      /must use https/,
    );
    assert.deepEqual(
      await t.server.tessera.directory.applications.list(t.tenant.id, { displayName: 'spa-refused' }),
      [],
    );
    assert.deepEqual(await spaOf(id), [longest, 'http://127.0.0.1:5173/']);
  });

  test('a member without an application role may not change them', async () => {
    const id = String(
      expectOk(
        await graph(t, admin.token, 'POST', 'applications', { body: { displayName: 'spa-owned' } }),
        201,
      ).id,
    );
    expectGraphError(
      await patch(id, { spa: { redirectUris: [SPA[0]] } }, member.token),
      403,
      'Authorization_RequestDenied',
      INSUFFICIENT,
    );
    assert.deepEqual(await spaOf(id), []);
  });
});
