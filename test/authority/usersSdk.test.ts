import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UsernamePasswordCredential } from '@azure/identity';
import { PublicClientApplication } from '@azure/msal-node';
import type { AccountInfo } from '@azure/msal-node';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { User } from '../../src/directory/model.js';
import { discover, recordingNetworkClient, verifyAccessToken } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  AZURE_CLI,
  PASSWORD,
  assertOrdersReadToken,
  assignUserRole,
  assertUserClaims,
  createUser,
  registerPublicClient,
  registerScopedApi,
} from '../support/users.js';
import type { PublicClient, ScopedApi } from '../support/users.js';

/** Unmodified @azure/identity and @azure/msal-node public clients signing people in. */
describe('SDK clients sign users in with a password and refresh', () => {
  let t: TestServer;
  let alice: User;
  let api: ScopedApi;
  let native: PublicClient;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
    api = await registerScopedApi(t);
    native = await registerPublicClient(t);
    await assignUserRole(t, alice, api);
  });
  after(async () => t.stop());

  const identityOptions = () => ({ authorityHost: t.origin, disableInstanceDiscovery: true });

  describe('@azure/identity UsernamePasswordCredential', () => {
    it('gets a v1 ARM token for the Azure CLI client with scp, upn, oid and tid', async () => {
      const credential = new UsernamePasswordCredential(
        t.tenant.id,
        AZURE_CLI,
        alice.userPrincipalName,
        PASSWORD,
        identityOptions(),
      );
      const token = await credential.getToken('https://management.azure.com/.default');
      const { payload, protectedHeader } = await verifyAccessToken(t, token.token, {
        version: 1,
        tenantId: t.tenant.id,
        audience: 'https://management.azure.com',
      });
      assert.equal(protectedHeader.x5t, protectedHeader.kid);
      assertUserClaims(payload, {
        version: 1,
        user: alice,
        tenantId: t.tenant.id,
        clientId: AZURE_CLI,
        scp: 'user_impersonation',
      });
      assert.equal(payload.roles, undefined);
      assert.equal(payload.ipaddr, '127.0.0.1');
    });

    it('gets a v2 token for a custom API through a custom public client, with the user’s roles', async () => {
      const credential = new UsernamePasswordCredential(
        t.tenant.domain,
        native.application.appId,
        alice.userPrincipalName.toUpperCase(),
        PASSWORD,
        identityOptions(),
      );
      const token = await credential.getToken(`api://${api.application.appId}/Orders.Read`);
      await assertOrdersReadToken(t, token.token, { user: alice, api, client: native });
    });
  });

  describe('@azure/msal-node PublicClientApplication', () => {
    const network = recordingNetworkClient();
    let pca: PublicClientApplication;
    let account: AccountInfo;
    const apiScope = () => `api://${api.application.appId}/.default`;
    const lastPost = () => network.posts.at(-1);

    before(() => {
      pca = new PublicClientApplication({
        auth: {
          clientId: native.application.appId,
          authority: `${t.origin}/${t.tenant.id}`,
          knownAuthorities: [new URL(t.origin).host],
        },
        system: { networkClient: network.client },
      });
    });

    it('acquireTokenByUsernamePassword returns an ID token, client_info and an account', async () => {
      const result = await pca.acquireTokenByUsernamePassword({
        scopes: [apiScope()],
        username: alice.userPrincipalName,
        password: PASSWORD,
      });
      assert.ok(result?.account, 'an account');
      account = result.account;
      const post = lastPost();
      assert.equal(post?.get('grant_type'), 'password');
      assert.equal(post?.get('client_info'), '1');
      assert.match(post?.get('scope') ?? '', /openid/);
      assert.equal(account.homeAccountId, `${alice.objectId}.${t.tenant.id}`);
      assert.equal(account.username, alice.userPrincipalName);
      assert.equal(account.tenantId, t.tenant.id);
      // Granted as Entra answers: the expanded permissions, the `.default` asked for, OIDC scopes.
      const resource = `api://${api.application.appId}`;
      assert.deepEqual([...result.scopes].sort(), [
        `${resource}/.default`,
        `${resource}/Orders.Read`,
        `${resource}/Orders.Write`,
        'openid',
        'profile',
      ]);

      // The ID token: for the client, v2 issuer, verified against the v2 JWKS.
      const discovery = await discover(t, t.tenant.id, 2);
      const { payload } = await jwtVerify(result.idToken, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
        issuer: `${t.origin}/${t.tenant.id}/v2.0`,
        audience: native.application.appId,
        algorithms: ['RS256'],
        requiredClaims: ['iat', 'nbf', 'exp', 'sub', 'aio', 'rh', 'uti'],
      });
      assert.equal(payload.ver, '2.0');
      assert.equal(payload.oid, alice.objectId);
      assert.equal(payload.tid, t.tenant.id);
      assert.equal(payload.preferred_username, alice.userPrincipalName);
      assert.equal(payload.name, alice.displayName);
      assert.equal(payload.nonce, undefined, 'ROPC sends no nonce');
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);

      const { payload: access } = await verifyAccessToken(t, result.accessToken, {
        version: 2,
        tenantId: t.tenant.id,
        audience: api.application.appId,
      });
      assert.equal(access.sub, payload.sub, 'the same pairwise subject for the same client');
      assert.equal(access.scp, 'Orders.Read Orders.Write');
    });

    it('acquireTokenSilent answers from the cache, then renews with forceRefresh through the refresh token', async () => {
      const posts = network.posts.length;
      const cached = await pca.acquireTokenSilent({ account, scopes: [apiScope()] });
      assert.equal(network.posts.length, posts, 'served from the cache');
      assert.equal(cached.fromCache, true);

      const renewed = await pca.acquireTokenSilent({ account, scopes: [apiScope()], forceRefresh: true });
      assert.equal(renewed.fromCache, false);
      const first = lastPost();
      assert.equal(first?.get('grant_type'), 'refresh_token');
      assert.notEqual(renewed.accessToken, cached.accessToken);

      // The refresh token was rotated: the next refresh presents a different one.
      await pca.acquireTokenSilent({ account, scopes: [apiScope()], forceRefresh: true });
      const second = lastPost();
      assert.equal(second?.get('grant_type'), 'refresh_token');
      assert.notEqual(second?.get('refresh_token'), first?.get('refresh_token'));
    });

    it('renews an access token that really expired (cache edited through its serialization)', async () => {
      const cache = pca.getTokenCache();
      const serialized = JSON.parse(cache.serialize()) as {
        AccessToken: Record<string, Record<string, string>>;
      };
      const past = String(Math.floor(Date.now() / 1000) - 60);
      for (const entry of Object.values(serialized.AccessToken)) {
        entry.expires_on = past;
        entry.extended_expires_on = past;
      }
      cache.deserialize(JSON.stringify(serialized));
      const posts = network.posts.length;
      const renewed = await pca.acquireTokenSilent({ account, scopes: [apiScope()] });
      assert.equal(network.posts.length, posts + 1);
      assert.equal(lastPost()?.get('grant_type'), 'refresh_token');
      assert.equal(renewed.fromCache, false);
      assert.ok((renewed.expiresOn?.getTime() ?? 0) > Date.now() + 3000_000);
      await verifyAccessToken(t, renewed.accessToken, {
        version: 2,
        tenantId: t.tenant.id,
        audience: api.application.appId,
      });
    });

    it('uses the same refresh token for another resource (ARM, v1 shape)', async () => {
      const rtBefore = lastPost()?.get('refresh_token');
      const arm = await pca.acquireTokenSilent({
        account,
        scopes: ['https://management.azure.com/.default'],
      });
      const post = lastPost();
      assert.equal(post?.get('grant_type'), 'refresh_token');
      assert.notEqual(post?.get('refresh_token'), rtBefore, 'the latest, rotated refresh token');
      const { payload } = await verifyAccessToken(t, arm.accessToken, {
        version: 1,
        tenantId: t.tenant.id,
        audience: 'https://management.azure.com',
      });
      assertUserClaims(payload, {
        version: 1,
        user: alice,
        tenantId: t.tenant.id,
        clientId: native.application.appId,
        scp: 'user_impersonation',
      });
      // Both resources' tokens now sit in the cache side by side.
      const again = await pca.acquireTokenSilent({ account, scopes: [apiScope()] });
      assert.equal(again.fromCache, true);
    });
  });

  describe('/organizations', () => {
    it('finds the tenant from the user’s domain; client_info gives MSAL the home account', async () => {
      const pca = new PublicClientApplication({
        auth: {
          clientId: AZURE_CLI,
          authority: `${t.origin}/organizations`,
          knownAuthorities: [new URL(t.origin).host],
        },
      });
      const result = await pca.acquireTokenByUsernamePassword({
        scopes: ['https://management.core.windows.net//.default'],
        username: alice.userPrincipalName,
        password: PASSWORD,
      });
      assert.equal(result?.tenantId, t.tenant.id);
      assert.equal(result?.account?.homeAccountId, `${alice.objectId}.${t.tenant.id}`);
      assert.ok(result?.scopes.includes('https://management.core.windows.net//user_impersonation'));
      await verifyAccessToken(t, result.accessToken, {
        version: 1,
        tenantId: t.tenant.id,
        audience: 'https://management.core.windows.net/',
      });
    });
  });
});
