import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Application, User } from '../../src/directory/model.js';
import { expectAadsts, postForm, tokenUrl } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  PageClient,
  authorizeUrl,
  codeOf,
  pkcePair,
  redeemCode,
  responseFields,
} from '../support/signInClient.js';
import { createUser, okBody } from '../support/users.js';

const SPA_ORIGIN = 'https://spa.example.test';
const SPA = `${SPA_ORIGIN}/app/`;
const WEB = 'https://web.example.test/signin-oidc';
/** Registered on both platforms: a browser redemption counts as the SPA's, any other as the web app's. */
const BOTH = 'https://both.example.test/callback';
const OTHER_ORIGIN = 'https://evil.example.test';
const SCOPE = 'openid profile offline_access User.Read';
const DAY = 24 * 3600;

/** Entra's single-page application platform: code + PKCE redeemed cross-origin, CORS only for it. */
describe('single-page application redirect URIs: PKCE, cross-origin redemption and CORS', () => {
  let t: TestServer;
  let alice: User;
  let app: Application;
  let secret: string;

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
    const { directory } = t.server.tessera;
    // A confidential app (not a fallback public client) with a SPA and a web platform, as many are.
    ({ application: app } = await directory.registerApplication(t.tenant, {
      displayName: 'Orders',
      spaRedirectUris: [SPA, BOTH],
      webRedirectUris: [WEB, BOTH],
    }));
    ({ secretText: secret } = await directory.credentials.addPassword(app));
  });
  after(async () => t.stop());

  /** Signs alice in for `redirectUri`; the code and the verifier when PKCE was used. */
  async function signIn(redirectUri: string, pkce = true): Promise<{ code: string; verifier?: string }> {
    const pair = pkcePair();
    const browser = new PageClient(t);
    const page = await browser.get(
      authorizeUrl(t, {
        client_id: app.appId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: SCOPE,
        ...(pkce && { code_challenge: pair.challenge, code_challenge_method: 'S256' }),
      }),
    );
    const code = codeOf(await browser.signIn(page, alice.userPrincipalName));
    return pkce ? { code, verifier: pair.verifier } : { code };
  }

  /** A redemption as MSAL.js sends it from the page (Origin set by the browser), or without Origin. */
  const redeem = (fields: Record<string, string>, origin?: string) =>
    postForm(
      tokenUrl(t),
      { grant_type: 'authorization_code', client_id: app.appId, scope: SCOPE, ...fields },
      { headers: origin === undefined ? {} : { origin } },
    );

  const refreshFrom = (refreshToken: string, origin?: string, extra: Record<string, string> = {}) =>
    postForm(
      tokenUrl(t),
      {
        grant_type: 'refresh_token',
        client_id: app.appId,
        refresh_token: refreshToken,
        scope: SCOPE,
        ...extra,
      },
      { headers: origin === undefined ? {} : { origin } },
    );

  it('a SPA-only redirect URI requires PKCE at /authorize (9002325, sent back to the redirect URI)', async () => {
    const browser = new PageClient(t);
    const page = await browser.get(
      authorizeUrl(t, { client_id: app.appId, response_type: 'code', redirect_uri: SPA, scope: SCOPE }),
    );
    assert.ok(page.location?.startsWith(SPA), `redirected to the app: ${page.status} ${page.location}`);
    const fields = responseFields(page);
    assert.equal(fields.error, 'invalid_request');
    assert.match(fields.error_description ?? '', /^AADSTS9002325:/);
  });

  it('the page redeems its code cross-origin: CORS for its origin, a 24-hour refresh token bound to it', async () => {
    const { code, verifier = '' } = await signIn(SPA);
    const response = await redeem({ code, redirect_uri: SPA, code_verifier: verifier }, SPA_ORIGIN);
    assert.equal(response.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.match(response.headers.get('vary') ?? '', /Origin/i);
    const tokens = await okBody(response);
    assert.ok(tokens.access_token && tokens.id_token && tokens.refresh_token);

    const family = await t.server.tessera.db
      .selectFrom('refresh_token_families')
      .select(['expires_at', 'issued_at', 'spa_origin'])
      .where('client_id', '=', app.appId)
      .where('spa_origin', 'is not', null)
      .executeTakeFirstOrThrow();
    assert.equal(family.spa_origin, SPA_ORIGIN);
    assert.equal(Number(family.expires_at) - Number(family.issued_at), DAY, 'a SPA family lives 24 hours');

    // Its refresh token: only from the page's origin, as a public client, and the expiry carries over.
    await expectAadsts(await refreshFrom(tokens.refresh_token), 400, 'invalid_request', 9002327);
    const elsewhere = await refreshFrom(tokens.refresh_token, OTHER_ORIGIN);
    assert.equal(
      elsewhere.headers.get('access-control-allow-origin'),
      OTHER_ORIGIN,
      'the refusal is readable',
    );
    await expectAadsts(elsewhere, 400, 'invalid_request', 9002326);
    await expectAadsts(
      await refreshFrom(tokens.refresh_token, SPA_ORIGIN, { client_secret: secret }),
      401,
      'invalid_client',
      700025,
    );
    const refreshed = await refreshFrom(tokens.refresh_token, SPA_ORIGIN);
    assert.equal(refreshed.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.ok((await okBody(refreshed)).refresh_token);
    const after = await t.server.tessera.db
      .selectFrom('refresh_token_families')
      .select(['expires_at'])
      .where('spa_origin', '=', SPA_ORIGIN)
      .executeTakeFirstOrThrow();
    assert.equal(
      Number(after.expires_at),
      Number(family.expires_at),
      'rotation does not extend the 24 hours',
    );
  });

  it('a SPA code is refused without an Origin (9002327), from another origin, or with a secret — and survives', async () => {
    const { code, verifier = '' } = await signIn(SPA);
    const base = { code, redirect_uri: SPA, code_verifier: verifier };
    await expectAadsts(await redeem(base), 400, 'invalid_request', 9002327);
    await expectAadsts(await redeem({ ...base, client_secret: secret }), 400, 'invalid_request', 9002327);
    const body = await expectAadsts(await redeem(base, OTHER_ORIGIN), 400, 'invalid_request', 9002326);
    assert.match(body.error_description, new RegExp(`Request origin: '${OTHER_ORIGIN}'`));
    await expectAadsts(
      await redeem({ ...base, client_secret: secret }, SPA_ORIGIN),
      401,
      'invalid_client',
      700025,
    );
    // None of those consumed the code: the page's own redemption still succeeds.
    await okBody(await redeem(base, SPA_ORIGIN));
  });

  it('a web redirect URI is never redeemed cross-origin (9002326), though its refusal is readable', async () => {
    const { code } = await signIn(WEB, false);
    const response = await redeem({ code, redirect_uri: WEB, client_secret: secret }, SPA_ORIGIN);
    assert.equal(response.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    const body = await expectAadsts(response, 400, 'invalid_request', 9002326);
    assert.match(
      body.error_description,
      /^AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type\. Request origin: 'https:\/\/spa\.example\.test'\./,
    );
    // The server-side redemption (no Origin) is the web app's, and its refresh token stays server-side.
    const serverSide = await redeem({ code, redirect_uri: WEB, client_secret: secret });
    assert.equal(serverSide.headers.get('access-control-allow-origin'), null, 'no CORS without an Origin');
    const tokens = await okBody(serverSide);
    await expectAadsts(
      await refreshFrom(tokens.refresh_token ?? '', SPA_ORIGIN, { client_secret: secret }),
      400,
      'invalid_request',
      9002326,
    );
    await okBody(await refreshFrom(tokens.refresh_token ?? '', undefined, { client_secret: secret }));
  });

  it('a URI on both platforms: the browser redemption is the SPA’s and needs PKCE (9002325)', async () => {
    const withoutPkce = await signIn(BOTH, false);
    await expectAadsts(
      await redeem({ code: withoutPkce.code, redirect_uri: BOTH }, 'https://both.example.test'),
      400,
      'invalid_request',
      9002325,
    );
    // Without an Origin it is the web platform's: the secret redeems it.
    await okBody(await redeem({ code: withoutPkce.code, redirect_uri: BOTH, client_secret: secret }));
    const withPkce = await signIn(BOTH);
    await okBody(
      await redeem(
        { code: withPkce.code, redirect_uri: BOTH, code_verifier: withPkce.verifier ?? '' },
        'https://both.example.test',
      ),
    );
  });

  it('no other grant is answered cross-origin; a same-origin page (the portal) is not cross-origin', async () => {
    const fields = {
      grant_type: 'client_credentials',
      client_id: app.appId,
      client_secret: secret,
      scope: 'https://graph.microsoft.com/.default',
    };
    const refused = await postForm(tokenUrl(t), fields, { headers: { origin: SPA_ORIGIN } });
    assert.equal(refused.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    await expectAadsts(refused, 400, 'invalid_request', 9002326);
    // An opaque origin gets the refusal but no CORS header naming it.
    const opaque = await postForm(tokenUrl(t), fields, { headers: { origin: 'null' } });
    assert.equal(opaque.headers.get('access-control-allow-origin'), null);
    await expectAadsts(opaque, 400, 'invalid_request', 9002326);
    // A malformed body from a page: refused before any grant, still readable by the page.
    const malformed = await postForm(tokenUrl(t), 'grant_type=client_credentials&grant_type=x', {
      headers: { origin: SPA_ORIGIN },
    });
    assert.equal(malformed.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.equal(malformed.status, 400);
    // Tessera's own origin is the page's own: the portal's redemptions are not cross-origin.
    const sameOrigin = await postForm(tokenUrl(t), fields, { headers: { origin: t.origin } });
    assert.equal(sameOrigin.headers.get('access-control-allow-origin'), null);
    assert.equal(sameOrigin.status, 200, await sameOrigin.clone().text());
    const { code } = await signIn(WEB, false);
    await okBody(
      await redeemCode(
        t,
        { client_id: app.appId, code, redirect_uri: WEB, client_secret: secret },
        t.tenant.id,
      ),
    );
  });

  it('discovery documents and keys are readable from any origin, as MSAL.js needs', async () => {
    for (const path of [
      `${t.tenant.id}/v2.0/.well-known/openid-configuration`,
      `${t.tenant.id}/discovery/v2.0/keys`,
      `common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${t.origin}/common/oauth2/v2.0/authorize`)}`,
    ]) {
      const response = await fetch(`${t.origin}/${path}`, { headers: { origin: SPA_ORIGIN } });
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('access-control-allow-origin'), '*', path);
    }
  });
});
