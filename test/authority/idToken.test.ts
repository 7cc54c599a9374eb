import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { jwtVerify } from 'jose';
import { mintIdToken, pairwiseSubject } from '../../src/authority/tokens/idToken.js';

describe('ID tokens', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tenantId = randomUUID();
  const clientAppId = randomUUID();
  const objectId = randomUUID();
  const salt = Buffer.alloc(32, 7);

  it('carry the nonce they were asked for, for the client, with the v2 issuer', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await mintIdToken(
      {
        origin: 'https://localhost:8443',
        tenantId,
        clientAppId,
        objectId,
        pairwiseSubject: pairwiseSubject(salt, objectId, clientAppId),
        userPrincipalName: 'alice@contoso.onmicrosoft.com',
        name: 'Alice',
        nonce: 'n-0S6_WzA2Mj',
        now,
      },
      { kid: 'kid-1', privateKey },
    );
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
      issuer: `https://localhost:8443/${tenantId}/v2.0`,
      audience: clientAppId,
      algorithms: ['RS256'],
    });
    assert.deepEqual(protectedHeader, { typ: 'JWT', alg: 'RS256', kid: 'kid-1' });
    assert.equal(payload.nonce, 'n-0S6_WzA2Mj');
    assert.equal(payload.ver, '2.0');
    assert.equal(payload.oid, objectId);
    assert.equal(payload.tid, tenantId);
    assert.equal(payload.preferred_username, 'alice@contoso.onmicrosoft.com');
    assert.equal(payload.name, 'Alice');
    assert.equal(payload.exp, now + 3600);
    assert.equal(payload.nbf, now);
    for (const claim of ['aio', 'rh', 'uti']) assert.equal(typeof payload[claim], 'string', claim);
    assert.equal(payload.scp, undefined, 'never usable as an access token');
  });

  it('have a pairwise sub: stable per user and app, different across apps and users', () => {
    const one = pairwiseSubject(salt, objectId, clientAppId);
    assert.match(one, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(pairwiseSubject(salt, objectId, clientAppId), one);
    assert.notEqual(pairwiseSubject(salt, objectId, randomUUID()), one);
    assert.notEqual(pairwiseSubject(salt, randomUUID(), clientAppId), one);
    assert.notEqual(pairwiseSubject(Buffer.alloc(32, 8), objectId, clientAppId), one);
  });
});
