import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { arm, armFixture, principalWithRole } from './support.js';

/**
 * Tokens an attacker can build from a real one: each must be refused with 401 by the guard in
 * front of ARM, while the untouched token (the control) is accepted.
 */
describe('forged tokens against the management API', () => {
  let t: TestServer;
  let token: string;
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  let path: string;
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = (
    h: Record<string, unknown>,
    c: Record<string, unknown>,
    key: KeyObject = attacker.privateKey,
  ) => {
    const input = `${b64(h)}.${b64(c)}`;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  };
  const now = () => Math.floor(Date.now() / 1000);

  before(async () => {
    t = await startTestServer();
    const { subscriptionScope } = armFixture(t);
    const owner = await principalWithRole(t, {
      displayName: 'owner',
      role: 'Owner',
      scope: subscriptionScope,
    });
    token = owner.token;
    const [h, p] = token.split('.') as [string, string];
    header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    path = `${subscriptionScope}/resourcegroups?api-version=2021-04-01`;
  });
  after(async () => t.stop());

  async function refused(forged: string, code = 'InvalidAuthenticationToken') {
    const response = await arm<{ error: { code: string } }>(t, 'GET', path, { token: forged });
    assert.equal(response.status, 401, response.text);
    assert.equal(response.json.error.code, code);
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      /^Bearer authorization_uri="[^"]+", error="invalid_token"/,
    );
  }

  it('accepts the genuine token (control)', async () => {
    assert.equal((await arm(t, 'GET', path, { token })).status, 200);
  });

  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    it(`refuses alg ${alg}, with or without a signature`, async () => {
      await refused(`${b64({ ...header, alg })}.${b64(claims)}.`);
      await refused(`${b64({ ...header, alg })}.${b64(claims)}.${token.split('.')[2]}`);
    });
  }

  it('refuses HS256 keyed with the RSA public key from the JWKS', async () => {
    const jwks = (await (await fetch(`${t.origin}/${t.tenant.id}/discovery/keys`)).json()) as {
      keys: Array<{ kid: string; x5c: string[] }>;
    };
    const published = jwks.keys.find((k) => k.kid === header.kid);
    assert.ok(published);
    const pem = `-----BEGIN CERTIFICATE-----\n${published.x5c[0]}\n-----END CERTIFICATE-----\n`;
    const input = `${b64({ ...header, alg: 'HS256' })}.${b64(claims)}`;
    for (const secret of [pem, published.x5c[0] ?? '']) {
      await refused(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`);
    }
  });

  it('refuses keys the token brings along: jwk, jku, x5u', async () => {
    const jwk = attacker.publicKey.export({ format: 'jwk' });
    await refused(signed({ ...header, jwk }, claims));
    await refused(signed({ ...header, jku: 'https://127.0.0.1:1/keys' }, claims));
    await refused(signed({ ...header, x5u: 'https://127.0.0.1:1/cert.pem' }, claims));
  });

  it('refuses kid injection', async () => {
    for (const kid of ['../../../../etc/passwd', "x' OR '1'='1", `${String(header.kid)}/../x`, '']) {
      await refused(signed({ ...header, kid, x5t: kid }, claims));
    }
  });

  it('refuses an altered signature and altered claims', async () => {
    const [h, p, s] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(s, 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await refused(`${h}.${p}.${bytes.toString('base64url')}`);
    await refused(`${h}.${b64({ ...claims, oid: '00000000-0000-0000-0000-000000000001' })}.${s}`);
  });

  it('refuses a token signed by a key Tessera never published, under its own or a real kid', async () => {
    await refused(signed({ ...header, kid: 'attackerKeyId', x5t: 'attackerKeyId' }, claims));
    await refused(signed(header, claims));
  });

  it('refuses expired tokens, future nbf and a missing exp (all correctly signed)', async () => {
    const [forgeKey] = await t.server.tessera.keys.current().then((k) => [k.privateKey]);
    assert.ok(forgeKey);
    await refused(
      signed(header, { ...claims, exp: now() - 3600, nbf: now() - 7200 }, forgeKey),
      'ExpiredAuthenticationToken',
    );
    await refused(signed(header, { ...claims, nbf: now() + 3600 }, forgeKey));
    const { exp: _exp, ...noExp } = claims;
    await refused(signed(header, noExp, forgeKey));
  });

  it("refuses a wrong audience, another tenant's issuer and an ID token (all correctly signed)", async () => {
    const { privateKey } = await t.server.tessera.keys.current();
    await refused(
      signed(header, { ...claims, aud: 'https://rest.media.azure.net' }, privateKey),
      'InvalidAuthenticationTokenAudience',
    );
    const other = await t.server.tessera.directory.createTenant({ domain: 'forgery' });
    await refused(
      signed(header, { ...claims, iss: `${t.origin}/${other.id}/`, tid: other.id }, privateKey),
      'InvalidAuthenticationTokenTenant',
    );
    const { idtyp: _idtyp, roles: _roles, ...withoutAccessMarkers } = claims;
    await refused(signed(header, { ...withoutAccessMarkers, nonce: 'n-0S6_WzA2Mj' }, privateKey));
  });
});
