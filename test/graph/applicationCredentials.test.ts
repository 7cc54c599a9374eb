import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { managedIdentitiesOf } from '../../src/identity/managedIdentities.js';
import { createSelfSignedCertificate } from '../../src/tls/clientCertificate.js';
import type { SelfSignedCertificate } from '../../src/tls/clientCertificate.js';
import { JWT_BEARER, clientAssertion, expectAadsts, postForm, tokenUrl } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import type { GraphUser } from './support.js';
import { INSUFFICIENT, expectGraphError, expectOk, graph, graphUser } from './support.js';

type Json = Record<string, unknown>;

/** A PEM certificate's body: the DER bytes in base64, what Graph's keyCredential.key carries. */
const keyOf = (certificate: SelfSignedCertificate): string =>
  certificate.certPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

const certificate = (key: string, extra: Json = {}): Json => ({
  type: 'AsymmetricX509Cert',
  usage: 'Verify',
  key,
  ...extra,
});

const ENTITLEMENT = 'Property value cannot be deleted or updated unless it is disabled first.';

describe('Microsoft Graph: certificates, app roles and scopes of an application, principals by type', () => {
  let t: TestServer;
  let admin: GraphUser;
  let member: GraphUser;
  let first: SelfSignedCertificate;
  let second: SelfSignedCertificate;

  before(async () => {
    t = await startTestServer();
    [admin, member] = await Promise.all([
      graphUser(t, 'appadmin', ['applicationAdministrator']),
      graphUser(t, 'member'),
    ]);
    [first, second] = await Promise.all([
      createSelfSignedCertificate('portal-first'),
      createSelfSignedCertificate('portal-second'),
    ]);
  });
  after(() => t.stop());

  const createApp = async (displayName: string, extra: Json = {}) =>
    expectOk(await graph(t, admin.token, 'POST', 'applications', { body: { displayName, ...extra } }), 201);

  const keyCredentials = async (id: string) =>
    (expectOk(await graph(t, admin.token, 'GET', `applications/${id}?$select=keyCredentials`))
      .keyCredentials as Json[]) ?? [];

  const patch = (id: string, body: Json, token = admin.token) =>
    graph(t, token, 'PATCH', `applications/${id}`, { body });

  test('PATCH keyCredentials adds a certificate that signs client assertions, keeps and removes by keyId', async () => {
    const app = await createApp('cert-app');
    const id = String(app.id);
    const appId = String(app.appId);
    expectOk(await patch(id, { keyCredentials: [certificate(keyOf(first))] }), 204);
    const [added] = await keyCredentials(id);
    assert.ok(added);
    assert.equal(added.customKeyIdentifier, first.thumbprintSha1Hex);
    assert.equal(added.displayName, 'CN=portal-first', 'an unnamed certificate takes its subject');
    assert.equal(added.type, 'AsymmetricX509Cert');
    assert.equal(added.usage, 'Verify');
    assert.equal(added.key, null, 'the key is not returned');
    assert.equal(Date.parse(String(added.endDateTime)), Math.floor(first.notAfter.getTime() / 1000) * 1000);

    // The certificate is a credential: an assertion it signs gets a token.
    expectOk(await graph(t, admin.token, 'POST', 'servicePrincipals', { body: { appId } }), 201);
    const assertionToken = async (cert: SelfSignedCertificate) =>
      postForm(tokenUrl(t), {
        grant_type: 'client_credentials',
        client_id: appId,
        scope: 'https://management.azure.com/.default',
        client_assertion_type: JWT_BEARER,
        client_assertion: await clientAssertion(cert, { aud: tokenUrl(t), iss: appId }),
      });
    assert.equal((await assertionToken(first)).status, 200);

    // GET's entry (key null) keeps the first; a named second one is added beside it.
    expectOk(
      await patch(id, {
        keyCredentials: [
          { ...added, key: null },
          certificate(keyOf(second), { displayName: 'rotation', keyId: randomUUID() }),
        ],
      }),
      204,
    );
    const both = await keyCredentials(id);
    assert.deepEqual(both.map((k) => k.displayName).sort(), ['CN=portal-first', 'rotation']);
    assert.equal(both.find((k) => k.displayName === 'CN=portal-first')?.keyId, added.keyId);

    // Echoing the first with its key keeps it too; leaving the second out removes it.
    expectOk(
      await patch(id, { keyCredentials: [certificate(keyOf(first), { keyId: String(added.keyId) })] }),
      204,
    );
    assert.deepEqual(
      (await keyCredentials(id)).map((k) => k.keyId),
      [added.keyId],
    );
    await expectAadsts(await assertionToken(second), 401, 'invalid_client', 700027);

    expectOk(await patch(id, { keyCredentials: [] }), 204);
    assert.deepEqual(await keyCredentials(id), []);
    await expectAadsts(await assertionToken(first), 401, 'invalid_client', 700027);
  });

  test('keyCredentials on create; refusals change nothing', async () => {
    const app = await createApp('created-with-cert', {
      keyCredentials: [certificate(keyOf(first), { displayName: 'at birth' })],
    });
    const id = String(app.id);
    const [kept] = await keyCredentials(id);
    assert.equal(kept?.displayName, 'at birth');
    const keep = { keyId: kept?.keyId, type: 'AsymmetricX509Cert', usage: 'Verify', key: null };

    const refused: Array<[Json, string | RegExp]> = [
      [certificate('not a certificate'), 'Invalid certificate: Key value is invalid certificate'],
      [certificate(Buffer.from('not DER').toString('base64')), /Invalid certificate/],
      [
        certificate(keyOf(second), { type: 'Symmetric' }),
        /only keyCredentials of type 'AsymmetricX509Cert' with usage 'Verify'/,
      ],
      [certificate(keyOf(second), { usage: 'Sign' }), /only keyCredentials of type 'AsymmetricX509Cert'/],
      [
        { type: 'AsymmetricX509Cert', usage: 'Verify', key: null, keyId: randomUUID() },
        "Invalid value specified for property 'key' of resource 'KeyCredential'.",
      ],
      [
        certificate(keyOf(second), { keyId: 'nope' }),
        "Invalid value specified for property 'keyId' of resource 'KeyCredential'.",
      ],
      [
        certificate(keyOf(second), {
          endDateTime: new Date(second.notAfter.getTime() + 86_400_000).toISOString(),
        }),
        'Key credential end date is invalid.',
      ],
      [
        certificate(keyOf(second), {
          startDateTime: new Date(second.notBefore.getTime() - 86_400_000).toISOString(),
        }),
        'Key credential start date is invalid.',
      ],
      [certificate(keyOf(second), { endDateTime: 'soon' }), /'endDateTime' of resource 'KeyCredential'/],
      [
        certificate(keyOf(second), { keyId: String(kept?.keyId) }),
        `keyId '${String(kept?.keyId)}' names another certificate of the application.`,
      ],
      [certificate(keyOf(first)), /is listed twice/],
      [{ usage: 'Verify', key: keyOf(second) }, /Property 'type' of resource 'KeyCredential' is required/],
      [
        certificate(keyOf(second), { thumbprint: 'x' }),
        /does not exist on type 'microsoft.graph.keyCredential'/,
      ],
    ];
    for (const [entry, message] of refused) {
      const list = entry.keyId === kept?.keyId ? [entry] : [keep, entry];
      const code =
        typeof message !== 'string' && /does not exist on type/.test(message.source)
          ? 'BadRequest'
          : 'Request_BadRequest';
      expectGraphError(await patch(id, { keyCredentials: list }), 400, code, message);
    }
    assert.deepEqual(
      (await keyCredentials(id)).map((k) => k.keyId),
      [kept?.keyId],
      'no refused PATCH changed the certificates',
    );
    // A bad certificate on create creates nothing.
    expectGraphError(
      await graph(t, admin.token, 'POST', 'applications', {
        body: { displayName: 'never-made', keyCredentials: [certificate('AAAA')] },
      }),
      400,
      'Request_BadRequest',
    );
    assert.equal(
      (await t.server.tessera.directory.applications.list(t.tenant.id, { displayName: 'never-made' })).length,
      0,
    );
    // A member without an administrator role may not change credentials.
    expectGraphError(
      await patch(id, { keyCredentials: [] }, member.token),
      403,
      'Authorization_RequestDenied',
      INSUFFICIENT,
    );
    assert.equal((await keyCredentials(id)).length, 1);
  });

  test('an app role or scope is removed only once disabled; ids are unique', async () => {
    const role = {
      id: randomUUID(),
      value: 'Orders.Approve',
      displayName: 'Approve orders',
      description: 'Approve orders',
      allowedMemberTypes: ['User'],
      isEnabled: true,
    };
    const scope = {
      id: randomUUID(),
      value: 'Orders.Read',
      type: 'User',
      adminConsentDisplayName: 'Read orders',
      adminConsentDescription: 'Read orders',
      isEnabled: true,
    };
    const app = await createApp('roles-app', {
      appRoles: [role],
      api: { oauth2PermissionScopes: [scope] },
      identifierUris: [],
    });
    const id = String(app.id);

    const removeRole = await patch(id, { appRoles: [] });
    expectGraphError(removeRole, 400, 'CannotDeleteOrUpdateEnabledEntitlement', ENTITLEMENT);
    // Disabling and removing in one PATCH is still removing an enabled role.
    expectGraphError(
      await patch(id, { api: { oauth2PermissionScopes: [] } }),
      400,
      'CannotDeleteOrUpdateEnabledEntitlement',
      ENTITLEMENT,
    );
    expectGraphError(
      await patch(id, { appRoles: [role, { ...role, value: 'Other' }] }),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'appRoles' of resource 'Application'.",
    );
    expectGraphError(
      await patch(id, { api: { oauth2PermissionScopes: [scope, { ...scope, value: 'Other' }] } }),
      400,
      'Request_BadRequest',
      "Invalid value specified for property 'oauth2PermissionScopes' of resource 'Application'.",
    );

    expectOk(
      await patch(id, {
        appRoles: [{ ...role, isEnabled: false }],
        api: { oauth2PermissionScopes: [{ ...scope, isEnabled: false }] },
      }),
      204,
    );
    const disabled = expectOk(await graph(t, admin.token, 'GET', `applications/${id}`));
    assert.equal((disabled.appRoles as Json[])[0]?.isEnabled, false);
    expectOk(await patch(id, { appRoles: [], api: { oauth2PermissionScopes: [] } }), 204);
    const removed = expectOk(await graph(t, admin.token, 'GET', `applications/${id}`));
    assert.deepEqual(removed.appRoles, []);
    assert.deepEqual((removed.api as Json).oauth2PermissionScopes, []);
  });

  test('servicePrincipals filter by servicePrincipalType: applications and managed identities', async () => {
    const bootstrap = t.server.bootstrap;
    assert.ok(bootstrap);
    const { identity } = await managedIdentitiesOf(t.server.tessera.db).userAssigned.createOrUpdate({
      subscriptionId: bootstrap.subscription.subscriptionId,
      resourceGroup: bootstrap.resourceGroup.name,
      name: 'orders-identity',
      location: 'westus',
    });
    const list = async (type: string) =>
      expectOk(
        await graph(
          t,
          admin.token,
          'GET',
          `servicePrincipals?$filter=${encodeURIComponent(`servicePrincipalType eq '${type}'`)}&$select=id,servicePrincipalType`,
        ),
      ).value as Json[];
    const identities = await list('ManagedIdentity');
    assert.deepEqual(
      identities.map((sp) => sp.id),
      [identity.principalId],
    );
    const applications = await list('Application');
    assert.ok(applications.length > 1);
    assert.ok(applications.every((sp) => sp.servicePrincipalType === 'Application'));
    assert.ok(!applications.some((sp) => sp.id === identity.principalId));
  });
});
