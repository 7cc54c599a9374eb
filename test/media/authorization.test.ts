import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ClientSecretCredential, UsernamePasswordCredential } from '@azure/identity';
import { PublicClientApplication } from '@azure/msal-node';
import { Tessera } from '../../src/tessera.js';
import { registerSecretClient } from '../support/authority.js';
import { mintTokenFor } from '../support/tokens.js';
import { PageClient, authorizeUrl, codeOf, pkcePair, redeemCode } from '../support/signInClient.js';
import { PASSWORD, createUser } from '../support/users.js';
import type { MediaFixture, MediaResponse } from './support.js';
import { MEDIA_SCOPE, expectODataError, media, mediaCaller, startMedia } from './support.js';

const MEDIA_NATIVE_CLIENT = 'd476653d-842c-4f52-862d-397463ada5e7';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';

/** The seed's rule: whoever lacks Contributor or Owner gets a 401, with a Bearer challenge. */
function expectUnauthorized(response: MediaResponse): void {
  expectODataError(response, 401, 'Unauthorized');
  const challenge = response.headers.get('www-authenticate') ?? '';
  assert.match(
    challenge,
    /^Bearer authorization_uri="https:\/\/localhost:\d+\/[0-9a-f-]{36}\/oauth2\/authorize"/,
  );
  assert.match(challenge, /resource_id="https:\/\/rest\.media\.azure\.net"/);
}

describe('Media Services v2: Entra ID tokens and Contributor/Owner on the account', () => {
  let f: MediaFixture;

  before(async () => {
    f = await startMedia();
  });
  after(() => f.t.stop());

  test('no token, a malformed token and another scheme are 401 with a Bearer challenge', async () => {
    expectUnauthorized(await media(f, undefined, 'GET', 'Assets'));
    expectUnauthorized(await media(f, 'not-a-jwt', 'GET', 'Assets'));
    expectUnauthorized(
      await media(f, undefined, 'GET', 'Assets', { headers: { authorization: 'SharedKey a:b' } }),
    );
    // A write is refused before its body is read.
    expectUnauthorized(await media(f, undefined, 'POST', 'Assets', { body: '{'.repeat(100_000) }));
  });

  test('Reader and a principal with no role are 401; Contributor and Owner are let in', async () => {
    const reader = await mediaCaller(f, { displayName: 'reader', role: 'Reader' });
    expectUnauthorized(await media(f, reader.token, 'GET', 'Assets'));
    const nobody = await mediaCaller(f, { displayName: 'nobody' });
    expectUnauthorized(await media(f, nobody.token, 'GET', 'Assets'));
    const contributor = await mediaCaller(f, { displayName: 'contributor', role: 'Contributor' });
    assert.equal((await media(f, contributor.token, 'GET', 'Assets')).status, 200);
    const bootstrap = f.t.server.bootstrap;
    assert.ok(bootstrap);
    const groupScope = `/subscriptions/${bootstrap.subscription.subscriptionId}/resourceGroups/${bootstrap.resourceGroup.name}`;
    const owner = await mediaCaller(f, { displayName: 'rg-owner', role: 'Owner', scope: groupScope });
    assert.equal(
      (await media(f, owner.token, 'GET', 'Assets')).status,
      200,
      'inherited from the resource group',
    );
  });

  test('Contributor through a group counts', async () => {
    const { tessera } = f.t.server;
    const member = await mediaCaller(f, { displayName: 'member' });
    const group = await tessera.directory.groups.create(f.t.tenant.id, {
      displayName: 'editors',
      mailNickname: 'editors',
    });
    await tessera.directory.groups.addMember(group, member.servicePrincipal.objectId);
    expectUnauthorized(await media(f, member.token, 'GET', 'Assets'));
    await tessera.roleAssignments.create({
      tenantId: f.t.tenant.id,
      scope: f.scope,
      roleDefinition: 'Contributor',
      principalId: group.objectId,
    });
    assert.equal((await media(f, member.token, 'GET', 'Assets')).status, 200);
  });

  test('a token of another resource or of another tenant is 401', async () => {
    const client = await mediaCaller(f, { displayName: 'arm-token', role: 'Owner' });
    const arm = await client.credential.getToken('https://management.azure.com/.default');
    expectUnauthorized(await media(f, arm.token, 'GET', 'Assets'));
    const other = await f.t.server.tessera.directory.createTenant({ domain: 'elsewhere' });
    const stranger = await registerSecretClient(f.t, { displayName: 'stranger', tenant: other });
    const credential = new ClientSecretCredential(other.id, stranger.application.appId, stranger.secret, {
      authorityHost: f.t.origin,
      disableInstanceDiscovery: true,
    });
    const foreign = await credential.getToken(MEDIA_SCOPE);
    expectUnauthorized(await media(f, foreign.token, 'GET', 'Assets'));
    // Signed by Tessera, but for the account's tenant while claiming another: refused too.
    const forged = await mintTokenFor(f.t, 'https://rest.media.azure.net', { tid: other.id });
    expectUnauthorized(await media(f, forged, 'GET', 'Assets'));
  });

  test('the audience may be the resource with or without its slash, or its app id (v2)', async () => {
    const caller = await mediaCaller(f, { displayName: 'audiences', role: 'Contributor' });
    const oid = caller.servicePrincipal.objectId;
    for (const aud of ['https://rest.media.azure.net', 'https://rest.media.azure.net/']) {
      const token = await mintTokenFor(f.t, aud, { oid });
      assert.equal((await media(f, token, 'GET', 'Assets')).status, 200, aud);
    }
    const v2 = await mintTokenFor(f.t, '374b2a64-3b6b-436b-934c-b820eacca870', {
      oid,
      iss: `${f.t.origin}/${f.t.tenant.id}/v2.0`,
      ver: '2.0',
    });
    assert.equal((await media(f, v2, 'GET', 'Assets')).status, 200, 'v2 token');
    for (const aud of [
      'https://rest.media.azure.net/other',
      'https://management.azure.com/',
      'rest.media.azure.net',
    ]) {
      expectUnauthorized(await media(f, await mintTokenFor(f.t, aud, { oid }), 'GET', 'Assets'));
    }
  });

  test('a role assigned through the ARM SDK lets the caller in at once, and its removal shuts it out', async () => {
    const owner = await mediaCaller(f, { displayName: 'sub-owner' });
    const bootstrap = f.t.server.bootstrap;
    assert.ok(bootstrap);
    await f.t.server.tessera.roleAssignments.create({
      tenantId: f.t.tenant.id,
      scope: `/subscriptions/${bootstrap.subscription.subscriptionId}`,
      roleDefinition: 'Owner',
      principalId: owner.servicePrincipal.objectId,
    });
    const arm = new AuthorizationManagementClient(owner.credential, bootstrap.subscription.subscriptionId, {
      endpoint: f.t.origin,
      credentialScopes: ['https://management.azure.com/.default'],
    });
    const caller = await mediaCaller(f, { displayName: 'newcomer' });
    expectUnauthorized(await media(f, caller.token, 'GET', 'Assets'));
    const name = randomUUID();
    await arm.roleAssignments.create(f.scope, name, {
      roleDefinitionId: `/subscriptions/${bootstrap.subscription.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
      principalId: caller.servicePrincipal.objectId,
    });
    assert.equal((await media(f, caller.token, 'GET', 'Assets')).status, 200);
    await arm.roleAssignments.delete(f.scope, name);
    expectUnauthorized(await media(f, caller.token, 'GET', 'Assets'));
  });

  test('a role granted and removed by another process (the CLI) applies to the next request', async () => {
    const caller = await mediaCaller(f, { displayName: 'cli-granted' });
    const cli = await Tessera.open({ dataDir: f.t.dataDir });
    try {
      const assignment = await cli.roleAssignments.create({
        tenantId: f.t.tenant.id,
        scope: f.scope,
        roleDefinition: 'Contributor',
        principalId: caller.servicePrincipal.objectId,
      });
      assert.equal((await media(f, caller.token, 'GET', 'Assets')).status, 200);
      await cli.roleAssignments.delete(assignment.name);
      expectUnauthorized(await media(f, caller.token, 'GET', 'Assets'));
    } finally {
      await cli.close();
    }
  });

  test('a user signs in through the Media Services native client (v2 scope and v1 resource)', async () => {
    const user = await createUser(f.t, 'editor');
    await f.t.server.tessera.roleAssignments.create({
      tenantId: f.t.tenant.id,
      scope: f.scope,
      roleDefinition: 'Contributor',
      principalId: user.objectId,
    });
    const credential = new UsernamePasswordCredential(
      f.t.tenant.id,
      MEDIA_NATIVE_CLIENT,
      user.userPrincipalName,
      PASSWORD,
      { authorityHost: f.t.origin, disableInstanceDiscovery: true },
    );
    const token = await credential.getToken(MEDIA_SCOPE);
    assert.equal(
      (await media(f, token.token, 'POST', 'Assets', { body: { Name: 'from a user' } })).status,
      201,
    );

    const msal = new PublicClientApplication({
      auth: {
        clientId: MEDIA_NATIVE_CLIENT,
        authority: `${f.t.origin}/${f.t.tenant.id}`,
        knownAuthorities: [new URL(f.t.origin).host],
      },
    });
    const byPassword = await msal.acquireTokenByUsernamePassword({
      scopes: [MEDIA_SCOPE],
      username: user.userPrincipalName,
      password: PASSWORD,
    });
    assert.ok(byPassword);
    assert.equal((await media(f, byPassword.accessToken, 'GET', 'Assets')).status, 200);

    // ADAL's v1 request: resource=, as the .NET SDK's AzureAdTokenProvider sent it.
    const v1 = await fetch(`${f.t.origin}/${f.t.tenant.id}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: MEDIA_NATIVE_CLIENT,
        resource: 'https://rest.media.azure.net',
        username: user.userPrincipalName,
        password: PASSWORD,
      }),
    });
    const v1Token = ((await v1.json()) as { access_token: string }).access_token;
    assert.ok(v1Token, 'the v1 endpoint issued a token');
    assert.equal((await media(f, v1Token, 'GET', 'Assets')).status, 200);
  });

  test('a user signs in on the sign-in page through the native client and its AzureMediaServicesNativeSDK redirect', async () => {
    const user = await createUser(f.t, 'browser');
    await f.t.server.tessera.roleAssignments.create({
      tenantId: f.t.tenant.id,
      scope: f.scope,
      roleDefinition: 'Owner',
      principalId: user.objectId,
    });
    const browser = new PageClient(f.t);
    const { verifier, challenge } = pkcePair();
    const redirectUri = 'https://AzureMediaServicesNativeSDK';
    const page = await browser.get(
      authorizeUrl(f.t, {
        client_id: MEDIA_NATIVE_CLIENT,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: `${MEDIA_SCOPE} openid profile offline_access`,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'media',
      }),
    );
    assert.equal(page.status, 200, page.text.slice(0, 300));
    const signedIn = await browser.signIn(page, user.userPrincipalName);
    // A URL's host has no case: the browser lands on https://azuremediaservicesnativesdk/?code=…
    assert.equal(new URL(signedIn.location ?? 'about:blank').origin, new URL(redirectUri).origin);
    const redeemed = await redeemCode(f.t, {
      client_id: MEDIA_NATIVE_CLIENT,
      code: codeOf(signedIn),
      redirect_uri: redirectUri,
      code_verifier: verifier,
      scope: MEDIA_SCOPE,
    });
    assert.equal(redeemed.status, 200);
    const { access_token: accessToken } = (await redeemed.json()) as { access_token: string };
    assert.equal((await media(f, accessToken, 'GET', 'Assets')).status, 200);
  });

  test('x-ms-version 2.x is required once the caller is known; an unknown account is 404', async () => {
    const caller = await mediaCaller(f, { displayName: 'versions', role: 'Contributor' });
    expectODataError(await media(f, caller.token, 'GET', 'Assets', { headers: { 'x-ms-version': '' } }), 400);
    expectODataError(
      await media(f, caller.token, 'GET', 'Assets', { headers: { 'x-ms-version': '1.0' } }),
      400,
    );
    for (const version of ['2.2', '2.11', '2.13', '2.15', '2.17', '2.19']) {
      assert.equal(
        (await media(f, caller.token, 'GET', 'Assets', { headers: { 'x-ms-version': version } })).status,
        200,
      );
    }
    const viaQuery = await media(f, caller.token, 'GET', 'Assets?api-version=2.19', {
      headers: { 'x-ms-version': '' },
    });
    assert.equal(viaQuery.status, 200);
    const missing = await media(f, caller.token, 'GET', `${f.t.origin}/media/nosuchaccount/api/Assets`);
    expectODataError(missing, 404);
  });
});
