import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { PageClient, authorizeUrl, pkcePair } from '../support/signInClient.js';
import type { PageResponse } from '../support/signInClient.js';
import { AZURE_CLI, createUser } from '../support/users.js';

/** The protections every sign-in page response carries. */
function assertPageHeaders(page: PageResponse, formAction: string): void {
  const csp = page.headers.get('content-security-policy') ?? '';
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.match(directives.get('style-src')?.join(' ') ?? '', /^'nonce-[A-Za-z0-9+/=]+'$/);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(directives.get('form-action'), formAction.split(' '));
  assert.deepEqual(directives.get('base-uri'), ["'none'"]);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(page.headers.get('access-control-allow-origin'), null);
  assert.equal(page.headers.get('access-control-allow-credentials'), null);
  // The nonce in the header is the one on the page's <style>, and nothing else is inline.
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce && page.text.includes(`<style nonce="${nonce}">`));
  assert.doesNotMatch(page.text, /\sstyle="|\son[a-z]+="/i);
}

describe('sign-in pages: CSP, framing, caching, CORS, cookies', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
    await createUser(t, 'alice');
  });
  after(async () => t.stop());

  const params = {
    client_id: AZURE_CLI,
    response_type: 'code',
    redirect_uri: 'http://localhost:8400',
    scope: 'openid',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  };

  it('the sign-in page allows forms only to itself and the client’s redirect origin, and no framing', async () => {
    const page = await new PageClient(t).get(authorizeUrl(t, params));
    assert.equal(page.status, 200);
    assertPageHeaders(page, "'self' http://localhost:8400");
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'none'/);
  });

  it('the error page and the device-code page carry the same protections', async () => {
    const error = await new PageClient(t).get(
      authorizeUrl(t, { ...params, redirect_uri: 'https://evil.example' }),
    );
    assert.equal(error.status, 400);
    assertPageHeaders(error, "'self'");
    assertPageHeaders(await new PageClient(t).get(`${t.origin}/devicelogin`), "'self'");
  });

  it('the form_post page runs only its own nonce’d script', async () => {
    const page = await new PageClient(t).get(
      authorizeUrl(t, { ...params, response_mode: 'form_post', prompt: 'none' }),
    );
    assertPageHeaders(page, "'self' http://localhost:8400");
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && page.text.includes(`<script nonce="${nonce}">`));
  });

  it('answers no CORS on the authorization endpoint, not even to a preflight', async () => {
    const origin = { origin: 'https://evil.example' };
    const page = await new PageClient(t).get(authorizeUrl(t, params), origin);
    assert.equal(page.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(authorizeUrl(t, params), {
      method: 'OPTIONS',
      headers: { ...origin, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.notEqual(preflight.status, 204);
  });

  it('sets __Host- cookies: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const browser = new PageClient(t);
    const page = await browser.get(authorizeUrl(t, params));
    const signedIn = await browser.signIn(page, `alice@${t.tenant.domain}`);
    const cookies = [...page.headers.getSetCookie(), ...signedIn.headers.getSetCookie()];
    assert.equal(cookies.length, 2, cookies.join('\n'));
    for (const cookie of cookies) {
      assert.match(cookie, /^__Host-tessera-(browser|sso-[0-9a-f-]{36})=[A-Za-z0-9_-]{43}; /);
      assert.match(cookie, /; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
      assert.doesNotMatch(cookie, /Domain=|Max-Age|Expires/i);
    }
  });
});
