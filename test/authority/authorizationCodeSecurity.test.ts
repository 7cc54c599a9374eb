import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../src/directory/model.js';
import { expectAadsts } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import {
  PageClient,
  authorizeUrl,
  codeOf,
  pkcePair,
  redeemCode,
  registerWebApp,
} from '../support/signInClient.js';
import type { WebApp } from '../support/signInClient.js';
import { AZURE_CLI, createUser, okBody, refresh } from '../support/users.js';

const REDIRECT = 'http://localhost:43125';
const SCOPE = 'https://management.azure.com/.default openid profile offline_access';

/** The token endpoint's side of RFC 9700 for codes: single use, bound to client, redirect and PKCE. */
describe('authorization code redemption: replay, binding and PKCE', () => {
  let t: TestServer;
  let alice: User;
  let web: WebApp;
  const webRedirect = 'https://orders.example.test/signin-oidc';

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
    web = await registerWebApp(t, 'Orders web app', [webRedirect]);
  });
  after(async () => t.stop());

  /** Signs alice in on the page (the Azure CLI, PKCE) and returns the code and its verifier. */
  async function cliCode(): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    const browser = new PageClient(t);
    const page = await browser.get(
      authorizeUrl(t, {
        client_id: AZURE_CLI,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: SCOPE,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    return { code: codeOf(await browser.signIn(page, alice.userPrincipalName)), verifier };
  }

  const redeem = (fields: Record<string, string>) =>
    redeemCode(t, { client_id: AZURE_CLI, redirect_uri: REDIRECT, scope: SCOPE, ...fields });

  it('a replayed code is refused with 54005 and revokes the refresh token its first use issued', async () => {
    const { code, verifier } = await cliCode();
    const first = await okBody(await redeem({ code, code_verifier: verifier }));
    assert.ok(first.refresh_token);
    await expectAadsts(await redeem({ code, code_verifier: verifier }), 400, 'invalid_grant', 54005);
    const body = await expectAadsts(
      await refresh(t, first.refresh_token, SCOPE),
      400,
      'invalid_grant',
      50173,
    );
    assert.match(body.error_description, /revoked/);
  });

  it('two redemptions at once: one wins, the other is a replay', async () => {
    const { code, verifier } = await cliCode();
    const answers = await Promise.all([
      redeem({ code, code_verifier: verifier }),
      redeem({ code, code_verifier: verifier }),
    ]);
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 400]);
    const loser = answers.find((r) => r.status === 400);
    assert.ok(loser);
    await expectAadsts(loser, 400, 'invalid_grant', 54005);
    const winner = answers.find((r) => r.status === 200);
    const tokens = await okBody(winner ?? new Response());
    // The replay revoked what the winner got.
    await expectAadsts(await refresh(t, tokens.refresh_token ?? '', SCOPE), 400, 'invalid_grant', 50173);
  });

  it('refuses a wrong or missing code_verifier (50148) without burning the code', async () => {
    const { code, verifier } = await cliCode();
    await expectAadsts(
      await redeem({ code, code_verifier: pkcePair().verifier }),
      400,
      'invalid_grant',
      50148,
    );
    await expectAadsts(await redeem({ code }), 400, 'invalid_grant', 50148);
    await expectAadsts(await redeem({ code, code_verifier: 'short' }), 400, 'invalid_grant', 50148);
    await okBody(await redeem({ code, code_verifier: verifier }));
  });

  it('refuses a redirect_uri that differs from the authorization request’s', async () => {
    const { code, verifier } = await cliCode();
    await expectAadsts(
      await redeem({ code, code_verifier: verifier, redirect_uri: 'http://localhost:43126' }),
      400,
      'invalid_grant',
      500112,
    );
    await expectAadsts(
      await redeemCode(t, { client_id: AZURE_CLI, code, code_verifier: verifier, scope: SCOPE }),
      400,
      'invalid_request',
      900144,
    );
  });

  it('binds the code to its client and tenant', async () => {
    const { code, verifier } = await cliCode();
    await expectAadsts(
      await redeem({ code, code_verifier: verifier, client_id: '1950a258-227b-4e31-a9cf-717495945fc2' }),
      400,
      'invalid_grant',
      70000,
    );
    const other = await t.server.tessera.directory.createTenant({ domain: 'fabrikam.onmicrosoft.com' });
    await expectAadsts(
      await redeemCode(
        t,
        { client_id: AZURE_CLI, code, code_verifier: verifier, redirect_uri: REDIRECT },
        other.id,
      ),
      400,
      'invalid_grant',
      700005,
    );
    await expectAadsts(
      await redeem({ code: 'not-a-code', code_verifier: verifier }),
      400,
      'invalid_grant',
      70000,
    );
  });

  it('an expired code is refused with 70008', async () => {
    const { code, verifier } = await cliCode();
    const hash = createHash('sha256').update(code).digest('hex');
    await t.server.tessera.db
      .updateTable('authorization_codes')
      .set({ expires_at: 1 })
      .where('code_hash', '=', hash)
      .execute();
    await expectAadsts(await redeem({ code, code_verifier: verifier }), 400, 'invalid_grant', 70008);
  });

  describe('a confidential web app', () => {
    async function webCode(pkce?: { challenge: string }): Promise<string> {
      const browser = new PageClient(t);
      const page = await browser.get(
        authorizeUrl(t, {
          client_id: web.application.appId,
          response_type: 'code',
          response_mode: 'form_post',
          redirect_uri: webRedirect,
          scope: 'openid profile offline_access User.Read',
          nonce: 'n-0S6_WzA2Mj',
          ...(pkce && { code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
        }),
      );
      return codeOf(await browser.signIn(page, alice.userPrincipalName));
    }

    it('redeems a code with its secret; a verifier for a code issued without a challenge is refused', async () => {
      const code = await webCode();
      const base = { client_id: web.application.appId, code, redirect_uri: webRedirect };
      await expectAadsts(await redeemCode(t, base), 401, 'invalid_client', 7000218);
      await expectAadsts(
        await redeemCode(t, { ...base, client_secret: 'wrong-secret' }),
        401,
        'invalid_client',
        7000215,
      );
      // PKCE downgrade: the verifier must not be accepted for a code that has no challenge.
      await expectAadsts(
        await redeemCode(t, { ...base, client_secret: web.secret, code_verifier: pkcePair().verifier }),
        400,
        'invalid_grant',
        501481,
      );
      const tokens = await okBody(await redeemCode(t, { ...base, client_secret: web.secret }));
      assert.ok(tokens.id_token && tokens.refresh_token);
    });

    it('with PKCE, the secret and the verifier are both required', async () => {
      const { verifier, challenge } = pkcePair();
      const code = await webCode({ challenge });
      const base = {
        client_id: web.application.appId,
        code,
        redirect_uri: webRedirect,
        client_secret: web.secret,
      };
      await expectAadsts(await redeemCode(t, base), 400, 'invalid_grant', 50148);
      await okBody(await redeemCode(t, { ...base, code_verifier: verifier }));
    });
  });
});
