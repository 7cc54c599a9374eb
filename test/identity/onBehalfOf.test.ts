import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ClientSecretCredential, OnBehalfOfCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { mintAccessToken } from '../../src/authority/tokens/accessToken.js';
import type { User } from '../../src/directory/model.js';
import { expectAadsts, postForm, registerSecretClient, tokenUrl } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { createUser, okBody, registerPublicClient, registerScopedApi, ropc } from '../support/users.js';
import type { ScopedApi } from '../support/users.js';
import { ARM_SCOPE, grantReader, listSubscriptions } from './support.js';

const OBO = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('on-behalf-of (jwt-bearer, requested_token_use=on_behalf_of)', () => {
  let t: TestServer;
  let user: User;
  /** The middle tier: an API people call, which calls ARM as them. */
  let middle: ScopedApi;
  let middleSecret: string;
  /** The user's token to the middle tier, as a native app got it. */
  let assertion: string;

  before(async () => {
    t = await startTestServer();
    user = await createUser(t, 'olivia');
    await grantReader(t, user.objectId);
    middle = await registerScopedApi(t, { displayName: 'orders-api', version: 1 });
    middleSecret = (await t.server.tessera.directory.credentials.addPassword(middle.application)).secretText;
    const native = await registerPublicClient(t, 'orders-ui');
    const body = await okBody(
      await ropc(t, {
        client_id: native.application.appId,
        username: user.userPrincipalName,
        scope: `api://${middle.application.appId}/Orders.Read openid profile offline_access`,
      }),
    );
    assertion = body.access_token;
    assert.equal(decodeJwt(assertion).aud, `api://${middle.application.appId}`);
  });
  after(() => t.stop());

  /** The middle tier's credential. disableInstanceDiscovery is honoured though not in the typings. */
  const oboCredential = (userAssertionToken: string) => {
    const options = {
      tenantId: t.tenant.id,
      clientId: middle.application.appId,
      clientSecret: middleSecret,
      userAssertionToken,
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    };
    return new OnBehalfOfCredential(options);
  };
  const obo = (fields: Record<string, string>) =>
    postForm(tokenUrl(t), {
      grant_type: OBO,
      requested_token_use: 'on_behalf_of',
      client_id: middle.application.appId,
      client_secret: middleSecret,
      assertion,
      scope: `${ARM_SCOPE} openid profile offline_access`,
      client_info: '1',
      ...fields,
    });

  it('OnBehalfOfCredential gets the same user an ARM token that ARM accepts', async () => {
    const { token } = await oboCredential(assertion).getToken(ARM_SCOPE);
    const claims = decodeJwt(token);
    assert.equal(claims.oid, user.objectId);
    assert.equal(claims.upn, user.userPrincipalName);
    assert.equal(claims.appid, middle.application.appId);
    assert.equal(claims.aud, 'https://management.azure.com');
    assert.equal(claims.scp, 'user_impersonation');
    assert.equal(claims.idtyp, undefined);
    assert.deepEqual(await listSubscriptions(t, token), [t.server.bootstrap?.subscription.subscriptionId]);
    // The exchange is in the sign-in log: the user, non-interactively, to ARM through the middle tier.
    const [logged] = await t.server.tessera.signIns.log.list(t.tenant.id, { userId: user.objectId, top: 1 });
    assert.equal(logged?.flow, 'on_behalf_of');
    assert.equal(logged?.interactive, false);
    assert.equal(logged?.errorCode, 0);
    assert.equal(logged?.app?.appId, middle.application.appId);
    assert.equal(logged?.resource?.appId, '797f4846-ba00-4fd7-ba43-dac1f8f63013');
  });

  it('answers a refresh token with offline_access, and an ID token with openid, as Entra does', async () => {
    const body = await okBody(await obo({}));
    assert.ok(body.refresh_token);
    assert.ok(body.id_token);
    assert.equal(decodeJwt(body.id_token).oid, user.objectId);
    const refreshed = await okBody(
      await postForm(tokenUrl(t), {
        grant_type: 'refresh_token',
        client_id: middle.application.appId,
        client_secret: middleSecret,
        refresh_token: body.refresh_token,
        scope: ARM_SCOPE,
      }),
    );
    assert.equal(decodeJwt(refreshed.access_token).oid, user.objectId);
    const without = await okBody(await obo({ scope: ARM_SCOPE }));
    assert.equal(without.refresh_token, undefined);
  });

  it('answers 7000114 for an app-only assertion: no application on-behalf-of', async () => {
    const daemon: SecretClient = await registerSecretClient(t, { displayName: 'daemon' });
    const appOnly = await new ClientSecretCredential(t.tenant.id, daemon.application.appId, daemon.secret, {
      authorityHost: t.origin,
      disableInstanceDiscovery: true,
    }).getToken(`api://${middle.application.appId}/.default`);
    const body = await expectAadsts(
      await obo({ assertion: appOnly.token }),
      400,
      'unauthorized_client',
      7000114,
    );
    assert.match(body.error_description, new RegExp(middle.application.appId));
  });

  it('answers 500131 for a token to another audience, 500133 for an expired one, 50013 for a forged one', async () => {
    const other = await registerScopedApi(t, { displayName: 'other-api', version: 1 });
    const native = await registerPublicClient(t, 'other-ui');
    const toOther = await okBody(
      await ropc(t, {
        client_id: native.application.appId,
        username: user.userPrincipalName,
        scope: `api://${other.application.appId}/Orders.Read`,
      }),
    );
    const wrong = await expectAadsts(
      await obo({ assertion: toOther.access_token }),
      400,
      'invalid_grant',
      500131,
    );
    assert.match(wrong.error_description, /audience in the assertion was 'api:\/\//);

    const key = await t.server.tessera.keys.current();
    const expired = await mintAccessToken(
      {
        version: 1,
        origin: t.origin,
        tenantId: t.tenant.id,
        audience: `api://${middle.application.appId}`,
        clientAppId: native.application.appId,
        clientAuth: 'public',
        subject: {
          kind: 'user',
          objectId: user.objectId,
          pairwiseSubject: 'x',
          userPrincipalName: user.userPrincipalName,
          name: user.displayName,
          givenName: null,
          familyName: null,
          scopes: ['Orders.Read'],
          amr: ['pwd'],
          ipAddress: '127.0.0.1',
        },
        roles: [],
        now: Math.floor(Date.now() / 1000) - 4 * 3600,
      },
      key,
    );
    await expectAadsts(await obo({ assertion: expired.token }), 400, 'invalid_grant', 500133);
    const [header, payload] = assertion.split('.');
    const forged = `${header}.${payload}.${Buffer.from(randomUUID()).toString('base64url')}`;
    await expectAadsts(await obo({ assertion: forged }), 400, 'invalid_grant', 50013);
  });

  it('OnBehalfOfCredential rejects with the AADSTS code, and the grant checks its parameters', async () => {
    await assert.rejects(oboCredential('not-a-token').getToken(ARM_SCOPE), /AADSTS50013/);
    await expectAadsts(await obo({ requested_token_use: 'exchange' }), 400, 'invalid_request', 90100);
    await expectAadsts(await obo({ assertion: '' }), 400, 'invalid_request', 900144);
    await expectAadsts(await obo({ client_secret: 'wrong' }), 401, 'invalid_client', 7000215);
  });
});
