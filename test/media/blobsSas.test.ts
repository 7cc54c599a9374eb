import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { SasCheck, SasGrant, SasToken } from '../../src/media/blobs/sas.js';
import { Permission, containerSas, permissionString, readSas, verifySas } from '../../src/media/blobs/sas.js';

const key = randomBytes(32);
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const MINUTE = 60_000;
const grant: SasGrant = {
  locatorId: '6f1e2c0a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  container: 'asset-0b0c6f5e-1c7a-4a49-9a55-5d8f4f0e0001',
  permissions: Permission.Read | Permission.List,
  startTime: NOW - 5 * MINUTE,
  expiry: NOW + 60 * MINUTE + 250, // milliseconds are not written, the grant still decides
};

function tokenOf(sas: string): SasToken {
  const query = Object.fromEntries(new URLSearchParams(sas.slice(1)));
  const reading = readSas(query);
  assert.equal(reading.kind, 'token');
  return (reading as { token: SasToken }).token;
}

const check = (overrides: Partial<SasCheck> = {}): SasCheck => ({
  accountName: 'media1',
  container: grant.container,
  token: tokenOf(containerSas('media1', grant, key)),
  grant,
  key,
  required: Permission.Read,
  now: NOW,
  ...overrides,
});

const refused = (code: string, detail?: RegExp) => (verdict: ReturnType<typeof verifySas>) => {
  assert.equal(verdict.ok, false);
  if (verdict.ok) return;
  assert.equal(verdict.code, code);
  if (detail) assert.match(verdict.detail, detail);
};

describe('container SAS', () => {
  it('writes the ContentAccessComponent of a locator, signed as version 2012-02-12', () => {
    const sas = containerSas('media1', grant, key);
    assert.match(
      sas,
      /^\?sv=2012-02-12&sr=c&si=6f1e2c0a-1b2c-4d5e-8f90-a1b2c3d4e5f6&sig=[A-Za-z0-9%]+&st=2024-05-01T11%3A55%3A00Z&se=2024-05-01T13%3A00%3A00Z&sp=rl$/,
    );
    const stringToSign = [
      'rl',
      '2024-05-01T11:55:00Z',
      '2024-05-01T13:00:00Z',
      `/media1/${grant.container}`,
      grant.locatorId,
      '2012-02-12',
    ].join('\n');
    const expected = createHmac('sha256', key).update(stringToSign).digest('base64');
    assert.equal(new URLSearchParams(sas.slice(1)).get('sig'), expected);
    assert.doesNotMatch(containerSas('media1', { ...grant, startTime: null }, key), /st=/);
    assert.equal(
      permissionString(Permission.List | Permission.Write | Permission.Delete | Permission.Read),
      'rwdl',
    );
  });

  it('accepts the signature it made, within the window, for a granted permission', () => {
    assert.deepEqual(verifySas(check()), { ok: true });
    assert.deepEqual(verifySas(check({ required: Permission.List })), { ok: true });
    // No start at all, or a start up to five minutes ahead (clock skew), is valid now.
    const open = { ...grant, startTime: null };
    assert.deepEqual(verifySas(check({ grant: open, token: tokenOf(containerSas('media1', open, key)) })), {
      ok: true,
    });
    const soon = { ...grant, startTime: NOW + 4 * MINUTE };
    assert.deepEqual(verifySas(check({ grant: soon, token: tokenOf(containerSas('media1', soon, key)) })), {
      ok: true,
    });
    // Optional fields left out of the URL are signed as empty, and the grant still decides.
    const bare = containerSas('media1', grant, key);
    const token = tokenOf(bare);
    const fields = ['', '', '', `/media1/${grant.container}`, grant.locatorId, '2012-02-12'].join('\n');
    const sig = createHmac('sha256', key).update(fields).digest('base64');
    assert.deepEqual(verifySas(check({ token: { sv: token.sv, sr: 'c', si: token.si, sig } })), { ok: true });
  });

  it('refuses a tampered or foreign signature, and fields that disagree with the grant', () => {
    const token = check().token;
    const flipped = Buffer.from(token.sig, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    refused(
      'AuthenticationFailed',
      /Signature did not match/,
    )(verifySas(check({ token: { ...token, sig: flipped.toString('base64') } })));
    refused('AuthenticationFailed')(verifySas(check({ token: { ...token, sig: 'short' } })));
    refused('AuthenticationFailed')(verifySas(check({ key: randomBytes(32) })));
    refused('AuthenticationFailed')(verifySas(check({ accountName: 'other' })));
    // Widening the URL's permissions breaks the signature...
    refused('AuthenticationFailed')(verifySas(check({ token: { ...token, sp: 'rwdl' } })));
    // ...and a SAS signed for other fields than the grant's does not match the grant.
    const wider = { ...grant, permissions: 15 };
    refused(
      'AuthenticationFailed',
      /sp of the signature/,
    )(verifySas(check({ token: tokenOf(containerSas('media1', wider, key)) })));
    refused('AuthenticationFailed', /version/)(verifySas(check({ token: { ...token, sv: '2015-02-21' } })));
    refused('AuthenticationFailed', /resource/)(verifySas(check({ token: { ...token, sr: 'b' } })));
  });

  it('refuses another container and another locator', () => {
    refused('AuthenticationFailed')(verifySas(check({ container: 'asset-other-container' })));
    const other = { ...grant, container: 'asset-other-container' };
    refused('AuthenticationFailed')(
      verifySas(check({ container: grant.container, token: tokenOf(containerSas('media1', other, key)) })),
    );
    refused('AuthenticationFailed')(verifySas(check({ grant: { ...grant, locatorId: 'another' } })));
  });

  it('refuses outside the window: expired, or not yet started beyond the skew', () => {
    refused(
      'AuthenticationFailed',
      /not valid in the specified time frame/,
    )(verifySas(check({ now: grant.expiry })));
    refused('AuthenticationFailed')(verifySas(check({ now: grant.expiry + 1 })));
    assert.deepEqual(verifySas(check({ now: grant.expiry - 1 })), { ok: true });
    refused('AuthenticationFailed')(verifySas(check({ now: grant.startTime! - 5 * MINUTE - 1 })));
    assert.deepEqual(verifySas(check({ now: grant.startTime! - 5 * MINUTE })), { ok: true });
  });

  it('refuses an operation the grant does not allow, once the signature is good', () => {
    refused('AuthorizationPermissionMismatch')(verifySas(check({ required: Permission.Write })));
    refused('AuthorizationPermissionMismatch')(verifySas(check({ required: Permission.Delete })));
    const forged = check({ required: Permission.Write, key: randomBytes(32) });
    refused('AuthenticationFailed')(verifySas(forged));
  });

  it('reads the SAS of a query: anonymous, missing or repeated parameters, unencoded plus signs', () => {
    assert.deepEqual(readSas({ comp: 'list' }), { kind: 'anonymous' });
    for (const missing of ['si', 'sig', 'sv', 'sr']) {
      const query: Record<string, string> = { sv: '2012-02-12', sr: 'c', si: 'x', sig: 'abc' };
      delete query[missing];
      const reading = readSas(query);
      assert.equal(reading.kind, 'invalid', missing);
    }
    assert.equal(readSas({ sv: '2012-02-12', sr: 'c', si: 'x', sig: ['a', 'b'] }).kind, 'invalid');
    const reading = readSas({ sv: '2012-02-12', sr: 'c', si: 'x', sig: 'a b=' });
    assert.deepEqual(reading, { kind: 'token', token: { sv: '2012-02-12', sr: 'c', si: 'x', sig: 'a+b=' } });
  });
});
