import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { BearerVerifier } from '../../src/guard/bearerVerifier.js';
import type { BearerPolicy } from '../../src/guard/bearerVerifier.js';
import { TokenValidationError } from '../../src/guard/errors.js';
import type { TokenRejection } from '../../src/guard/errors.js';
import type { KeyResolver } from '../../src/guard/keys/keyResolver.js';
import { tamper } from '../support/tamper.js';

const TID = '11111111-1111-1111-1111-111111111111';
const OTHER_TID = '22222222-2222-2222-2222-222222222222';
const ISS = `https://localhost:8443/${TID}/`;
const AUD = 'https://management.azure.com/';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

class StaticKeys implements KeyResolver {
  lookups: string[] = [];
  constructor(private readonly keys: Record<string, KeyObject>) {}
  async find(kid: string) {
    this.lookups.push(kid);
    return this.keys[kid];
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function jwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject = privateKey,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const goodClaims = (overrides: Record<string, unknown> = {}) => ({
  aud: AUD,
  iss: ISS,
  iat: now(),
  nbf: now(),
  exp: now() + 3600,
  appid: 'aaaaaaaa-0000-0000-0000-000000000001',
  idtyp: 'app',
  oid: 'bbbbbbbb-0000-0000-0000-000000000002',
  sub: 'bbbbbbbb-0000-0000-0000-000000000002',
  tid: TID,
  ver: '1.0',
  ...overrides,
});
const header = { typ: 'JWT', alg: 'RS256', kid: 'k1' };

const policy: BearerPolicy = { issuers: new Set([ISS]), audience: (aud) => aud.toLowerCase() === AUD };

async function rejects(token: string, code: TokenRejection, keys = new StaticKeys({ k1: publicKey })) {
  const verifier = new BearerVerifier(keys);
  await assert.rejects(verifier.verify(token, policy), (err: unknown) => {
    assert.ok(err instanceof TokenValidationError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  });
}

describe('BearerVerifier', () => {
  it('accepts a well-formed app token and yields the principal', async () => {
    const verified = await new BearerVerifier(new StaticKeys({ k1: publicKey })).verify(
      jwt(header, goodClaims()),
      policy,
    );
    assert.equal(verified.principal.tenantId, TID);
    assert.equal(verified.principal.objectId, 'bbbbbbbb-0000-0000-0000-000000000002');
    assert.equal(verified.principal.kind, 'app');
  });

  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    it(`refuses alg ${alg}`, async () => {
      await rejects(`${b64({ alg, kid: 'k1' })}.${b64(goodClaims())}.`, 'malformed');
      await rejects(`${b64({ alg, kid: 'k1' })}.${b64(goodClaims())}.c2ln`, 'unsupported_algorithm');
    });
  }

  it('refuses HS256 keyed with the RSA public key', async () => {
    const input = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(goodClaims())}`;
    const mac = createHmac('sha256', publicKey.export({ type: 'spki', format: 'pem' }))
      .update(input)
      .digest('base64url');
    await rejects(`${input}.${mac}`, 'unsupported_algorithm');
  });

  for (const name of ['jwk', 'jku', 'x5u', 'x5c', 'crit']) {
    it(`refuses a token carrying a '${name}' header`, async () => {
      const value =
        name === 'jwk'
          ? stranger.publicKey.export({ format: 'jwk' })
          : name === 'crit'
            ? ['exp']
            : 'https://evil.example/keys';
      await rejects(
        jwt({ ...header, [name]: value }, goodClaims(), name === 'jwk' ? stranger.privateKey : privateKey),
        'forbidden_header',
      );
    });
  }

  for (const kid of ['../../etc/passwd', "k1' OR '1'='1", 'k1/../k1', '']) {
    it(`refuses kid injection ${JSON.stringify(kid)} without looking it up`, async () => {
      const keys = new StaticKeys({ k1: publicKey });
      await rejects(jwt({ ...header, kid }, goodClaims()), 'malformed', keys);
      assert.deepEqual(keys.lookups, []);
    });
  }

  it('refuses an altered signature, a truncated one, and an altered payload', async () => {
    const token = jwt(header, goodClaims());
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = tamper(s);
    await rejects(`${h}.${p}.${flipped}`, 'bad_signature');
    await rejects(`${h}.${p}.${s.slice(0, 20)}`, 'bad_signature');
    await rejects(
      `${h}.${b64(goodClaims({ oid: 'cccccccc-0000-0000-0000-000000000003' }))}.${s}`,
      'bad_signature',
    );
  });

  it('refuses a token signed by a key the issuer never published', async () => {
    await rejects(jwt({ ...header, kid: 'k2' }, goodClaims(), stranger.privateKey), 'unknown_key');
    await rejects(jwt(header, goodClaims(), stranger.privateKey), 'bad_signature');
  });

  it('refuses expired tokens beyond the 5-minute skew, accepts within it', async () => {
    await rejects(jwt(header, goodClaims({ exp: now() - 301 })), 'expired');
    await new BearerVerifier(new StaticKeys({ k1: publicKey })).verify(
      jwt(header, goodClaims({ exp: now() - 200 })),
      policy,
    );
  });

  it('refuses nbf in the future beyond the skew', async () => {
    await rejects(jwt(header, goodClaims({ nbf: now() + 600 })), 'not_yet_valid');
  });

  it('refuses a missing exp, and non-numeric time claims', async () => {
    const { exp: _exp, ...noExp } = goodClaims();
    await rejects(jwt(header, noExp), 'missing_claim');
    await rejects(jwt(header, goodClaims({ exp: String(now() + 3600) })), 'malformed');
  });

  it('refuses the wrong audience and another tenant as issuer', async () => {
    await rejects(jwt(header, goodClaims({ aud: 'https://rest.media.azure.net' })), 'wrong_audience');
    await rejects(
      jwt(header, goodClaims({ iss: `https://localhost:8443/${OTHER_TID}/`, tid: OTHER_TID })),
      'wrong_issuer',
    );
  });

  it('refuses an ID token presented as an access token', async () => {
    const idToken = goodClaims({
      idtyp: undefined,
      nonce: 'n-0S6_WzA2Mj',
      preferred_username: 'alice@contoso.onmicrosoft.com',
    });
    await rejects(jwt(header, idToken), 'not_an_access_token');
    await rejects(jwt(header, goodClaims({ idtyp: undefined })), 'not_an_access_token');
  });

  it('checks the signature once per token, and still applies time and audience rules from the cache', async () => {
    const keys = new StaticKeys({ k1: publicKey });
    let clock = now();
    const verifier = new BearerVerifier(keys, { now: () => clock });
    const token = jwt(header, goodClaims({ exp: clock + 600 }));
    await verifier.verify(token, policy);
    await verifier.verify(token, policy);
    assert.deepEqual(keys.lookups, ['k1']);
    await assert.rejects(verifier.verify(token, { ...policy, audience: () => false }), /audience/);
    clock += 1000;
    await assert.rejects(verifier.verify(token, policy), /expired/);
  });
});
