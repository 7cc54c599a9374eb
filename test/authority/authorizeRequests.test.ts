import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { User } from '../../src/directory/model.js';
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
import type { PageResponse } from '../support/signInClient.js';
import { AZURE_CLI, createUser, okBody } from '../support/users.js';

const MEDIA_NATIVE = 'd476653d-842c-4f52-862d-397463ada5e7';
const MEDIA_REDIRECT = 'https://AzureMediaServicesNativeSDK';
const ARM = 'https://management.azure.com/.default';

/** An error shown to the person, never sent to the redirect URI: no Location, no form, no link. */
function expectErrorPage(page: PageResponse, code: number): void {
  assert.equal(page.status, 400, page.text.slice(0, 300));
  assert.equal(page.location, null, 'never a redirect');
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.text, new RegExp(`AADSTS${code}`));
  assert.doesNotMatch(page.text, /<form|<a |http-equiv/i);
  assert.match(page.text, /Sorry, but we’re having trouble signing you in/);
}

/**
 * The authorization endpoint's request validation (RFC 6749 §4.1.2.1, RFC 9700 §2.1): exact
 * redirect URIs, no open redirector, PKCE S256 required of public clients, errors to the client
 * only once its redirect URI is trusted.
 */
describe('authorization requests: redirect URIs, PKCE and errors', () => {
  let t: TestServer;
  let alice: User;
  const { challenge } = pkcePair();
  const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };

  before(async () => {
    t = await startTestServer();
    alice = await createUser(t, 'alice');
  });
  after(async () => t.stop());

  const get = (params: Record<string, string>, options: { tenant?: string; version?: 1 | 2 } = {}) =>
    new PageClient(t).get(authorizeUrl(t, params, options));
  const cli = (params: Record<string, string> = {}) =>
    get({
      client_id: AZURE_CLI,
      response_type: 'code',
      redirect_uri: 'http://localhost:8400',
      scope: ARM,
      state: 'st-123',
      ...pkce,
      ...params,
    });

  it('shows unknown clients and unregistered redirect URIs on an error page', async () => {
    expectErrorPage(await cli({ client_id: '7e0d7a4f-0000-4000-8000-000000000001' }), 700016);
    expectErrorPage(await cli({ redirect_uri: 'https://evil.example.com/callback' }), 50011);
    expectErrorPage(await cli({ redirect_uri: '' }), 900144);
    expectErrorPage(await cli({ client_id: '' }), 900144);
    const page = await cli({ redirect_uri: 'https://evil.example.com/"><script>alert(1)</script>' });
    expectErrorPage(page, 50011);
    assert.doesNotMatch(page.text, /<script>alert/);
  });

  it('never redirects to look-alikes of a registered URI', async () => {
    const attempts: Array<[string, string]> = [
      [MEDIA_NATIVE, 'https://AzureMediaServicesNativeSDK.evil'],
      [MEDIA_NATIVE, 'https://AzureMediaServicesNativeSDK.evil.com/'],
      [MEDIA_NATIVE, 'https://AzureMediaServicesNativeSDK@evil.com'],
      [MEDIA_NATIVE, 'https://evil.com\\@AzureMediaServicesNativeSDK'],
      [MEDIA_NATIVE, 'https://AzureMediaServicesNativeSDK%2F%2Fevil.com'],
      [MEDIA_NATIVE, 'https://AzureMediaServicesNativeSDK%2f@evil.com'],
      [MEDIA_NATIVE, 'https://AzureMediaServicesNativeSDK/../../evil.com'],
      [MEDIA_NATIVE, ' https://AzureMediaServicesNativeSDK'],
      [MEDIA_NATIVE, 'https://AzureMediaServicesNativeSDK\t'],
      [MEDIA_NATIVE, 'http://AzureMediaServicesNativeSDK'],
      [AZURE_CLI, 'http://localhost.evil.com'],
      [AZURE_CLI, 'http://localhost.evil.com:8400/'],
      [AZURE_CLI, 'http://localhost@evil.com'],
      [AZURE_CLI, 'http://localhost:8400@evil.com'],
      [AZURE_CLI, 'http://user:pass@localhost:8400'],
      [AZURE_CLI, 'http://evil.com#@localhost:8400'],
      [AZURE_CLI, 'http://localhost:8400#@evil.com'],
      [AZURE_CLI, 'http://localhost:8400//evil.com'],
      [AZURE_CLI, 'http://localhost:8400/%2F%2Fevil.com'],
      [AZURE_CLI, 'http://localhost:8400\\@evil.com'],
      [AZURE_CLI, 'http://localhost:8400/callback'],
      [AZURE_CLI, 'http://localhost:8400/?next=https://evil.com'],
      [AZURE_CLI, 'https://localhost:8400'],
      [AZURE_CLI, 'http://127.0.0.1:8400'],
      [AZURE_CLI, 'javascript:alert(1)//http://localhost'],
    ];
    for (const [clientId, redirectUri] of attempts) {
      const page = await cli({ client_id: clientId, redirect_uri: redirectUri });
      assert.equal(page.location, null, `redirected to ${redirectUri}`);
      expectErrorPage(page, 50011);
    }
  });

  it('accepts the registered URIs, and any port on a loopback one (RFC 8252)', async () => {
    for (const port of ['8400', '53117', '1']) {
      const page = await cli({ redirect_uri: `http://localhost:${port}` });
      assert.equal(page.status, 200);
      assert.match(page.text, /<h1>Sign in<\/h1>/);
    }
    const media = await cli({ client_id: MEDIA_NATIVE, redirect_uri: MEDIA_REDIRECT });
    assert.equal(media.status, 200);
    assert.match(media.text, /Azure Media Services Native Client/);
  });

  it('sends later errors to the client with Entra’s text and the state', async () => {
    const expectRedirected = (page: PageResponse, error: string, code: number) => {
      const fields = responseFields(page);
      assert.equal(fields.error, error, JSON.stringify(fields));
      assert.match(fields.error_description ?? '', new RegExp(`^AADSTS${code}: `));
      assert.match(fields.error_description ?? '', /\r\nTrace ID: .+\r\nCorrelation ID: .+\r\nTimestamp: /);
      assert.equal(fields.state, 'st-123');
      assert.equal(fields.code, undefined);
    };
    expectRedirected(await cli({ response_type: '' }), 'invalid_request', 900144);
    expectRedirected(await cli({ response_type: 'token' }), 'unsupported_response_type', 70005);
    expectRedirected(await cli({ response_mode: 'web_message' }), 'invalid_request', 70007);
    expectRedirected(await cli({ scope: '' }), 'invalid_request', 900144);
    expectRedirected(await cli({ scope: 'api://not-registered/.default' }), 'invalid_resource', 500011);
    expectRedirected(await cli({ prompt: 'always' }), 'invalid_request', 90100);
    const unknownMode = await cli({ response_mode: 'web_message' });
    assert.ok(
      unknownMode.location?.startsWith('http://localhost:8400/?'),
      'an unknown mode is refused in the query',
    );
    // A refusal after the mode is known goes where the client asked for its answer.
    const fragment = await cli({ response_mode: 'fragment', prompt: 'always' });
    assert.ok(
      fragment.location?.startsWith('http://localhost:8400/#error=invalid_request&'),
      String(fragment.location),
    );
    expectRedirected(fragment, 'invalid_request', 90100);
    const formPost = await cli({ response_mode: 'form_post', response_type: 'id_token' });
    const posted = responseFields(formPost);
    assert.equal(posted.error, 'unsupported_response_type');
    // The form delivers Entra's CRLF lines intact (character references survive HTML parsing).
    assert.match(posted.error_description ?? '', /^AADSTS70005: .*\r\nTrace ID: /s);
    assert.match(formPost.text, /&#13;&#10;Trace ID: /);
  });

  describe('PKCE', () => {
    it('is required of public clients', async () => {
      const fields = responseFields(await cli({ code_challenge: '', code_challenge_method: '' }));
      assert.equal(fields.error, 'invalid_request');
      assert.match(fields.error_description ?? '', /^AADSTS9002325: Proof Key for Code Exchange is required/);
      const noChallenge = responseFields(
        await get({
          client_id: AZURE_CLI,
          response_type: 'code',
          redirect_uri: 'http://localhost:8400',
          scope: ARM,
        }),
      );
      assert.match(noChallenge.error_description ?? '', /^AADSTS9002325/);
    });

    it('refuses plain, a missing method (RFC 7636 reads it as plain) and malformed challenges', async () => {
      const verifierAsChallenge = pkcePair().verifier;
      for (const params of [
        { code_challenge: verifierAsChallenge, code_challenge_method: 'plain' },
        { code_challenge: challenge, code_challenge_method: 'PLAIN' },
        { code_challenge: challenge, code_challenge_method: 's256' },
        { code_challenge: challenge, code_challenge_method: '' },
      ]) {
        const fields = responseFields(await cli(params));
        assert.equal(fields.error, 'invalid_request', JSON.stringify(params));
        assert.match(fields.error_description ?? '', /code_challenge/);
      }
      const missingMethod = await get({
        client_id: AZURE_CLI,
        response_type: 'code',
        redirect_uri: 'http://localhost:8400',
        scope: ARM,
        code_challenge: challenge,
      });
      assert.equal(responseFields(missingMethod).error, 'invalid_request');
      const short = responseFields(await cli({ code_challenge: 'abc' }));
      assert.match(short.error_description ?? '', /^AADSTS501491/);
    });
  });

  it('prompt=none without a session answers login_required', async () => {
    const fields = responseFields(await cli({ prompt: 'none' }));
    assert.equal(fields.error, 'login_required');
    assert.match(fields.error_description ?? '', /^AADSTS50058: /);
    assert.equal(fields.state, 'st-123');
  });

  it('on /organizations the username finds the tenant, or a domain_hint names it up front', async () => {
    const { verifier, challenge: orgChallenge } = pkcePair();
    const params = {
      client_id: AZURE_CLI,
      response_type: 'code',
      redirect_uri: 'http://localhost:8400',
      scope: ARM,
      code_challenge: orgChallenge,
      code_challenge_method: 'S256',
    };
    const browser = new PageClient(t);
    const page = await browser.get(authorizeUrl(t, params, { tenant: 'organizations' }));
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /class="tenant"/, 'no tenant is known yet');
    const unknownDomain = await browser.signIn(page, 'alice@unknown.example');
    assert.match(unknownDomain.text, /AADSTS50126/);
    const code = codeOf(await browser.signIn(unknownDomain, alice.userPrincipalName));
    const tokens = await okBody(
      await redeemCode(
        t,
        {
          client_id: AZURE_CLI,
          code,
          redirect_uri: 'http://localhost:8400',
          code_verifier: verifier,
          scope: ARM,
        },
        'organizations',
      ),
    );
    assert.equal(decodeJwt(tokens.access_token).tid, t.tenant.id);

    const hinted = await get({ ...params, domain_hint: t.tenant.domain }, { tenant: 'organizations' });
    assert.match(hinted.text, /class="tenant"/);
    assert.ok(hinted.text.includes(t.tenant.domain));
  });

  it('the v1 endpoint takes `resource`, and its code redeems at the v1 token endpoint', async () => {
    const { verifier, challenge: v1Challenge } = pkcePair();
    const browser = new PageClient(t);
    const page = await browser.get(
      authorizeUrl(
        t,
        {
          client_id: AZURE_CLI,
          response_type: 'code',
          redirect_uri: 'http://localhost:8400',
          resource: 'https://management.core.windows.net/',
          code_challenge: v1Challenge,
          code_challenge_method: 'S256',
        },
        { version: 1 },
      ),
    );
    const code = codeOf(await browser.signIn(page, alice.userPrincipalName));
    const response = await fetch(`${t.origin}/${t.tenant.id}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: AZURE_CLI,
        code,
        redirect_uri: 'http://localhost:8400',
        code_verifier: verifier,
        resource: 'https://management.core.windows.net/',
      }),
    });
    const body = (await okBody(response)) as unknown as Record<string, string>;
    assert.equal(body.resource, 'https://management.core.windows.net/');
    assert.equal(typeof body.expires_in, 'string');
    assert.ok(body.refresh_token, 'the v1 endpoint always issues a refresh token');
    // And the same code cannot be redeemed at v2 afterwards.
    const again = await redeemCode(t, {
      client_id: AZURE_CLI,
      code,
      redirect_uri: 'http://localhost:8400',
      code_verifier: verifier,
      scope: ARM,
    });
    assert.equal(again.status, 400);
  });
});
