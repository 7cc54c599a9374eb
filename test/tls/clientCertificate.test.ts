import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey, createSign, createVerify } from 'node:crypto';
import { describe, it } from 'node:test';
import { certificateThumbprints, createSelfSignedCertificate } from '../../src/tls/clientCertificate.js';

const withoutColons = (fingerprint: string): string => fingerprint.replaceAll(':', '');

describe('createSelfSignedCertificate', () => {
  it('creates a self-signed RSA 2048 certificate with a PKCS#8 key and matching thumbprints', async () => {
    const created = await createSelfSignedCertificate('tessera-test-app');
    const cert = new X509Certificate(created.certPem);

    assert.equal(cert.subject, 'CN=tessera-test-app');
    assert.equal(cert.issuer, cert.subject);
    assert.ok(cert.verify(cert.publicKey), 'self-signed: verifies with its own key');
    assert.equal(cert.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.match(created.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.ok(cert.checkPrivateKey(createPrivateKey(created.privateKeyPem)));

    assert.equal(created.thumbprintSha1Hex, withoutColons(cert.fingerprint));
    assert.equal(created.thumbprintSha256Hex, withoutColons(cert.fingerprint256));
    assert.match(created.thumbprintSha1Hex, /^[0-9A-F]{40}$/);
    assert.match(created.thumbprintSha256Hex, /^[0-9A-F]{64}$/);
    assert.equal(created.notBefore.getTime(), Date.parse(cert.validFrom));
    assert.equal(created.notAfter.getTime(), Date.parse(cert.validTo));
  });

  it('signs with SHA-256 so the key works for RS256 client assertions', async () => {
    const created = await createSelfSignedCertificate('signer');
    const signature = createSign('sha256').update('payload').sign(created.privateKeyPem);
    const publicKey = createPublicKey(created.certPem);
    assert.ok(createVerify('sha256').update('payload').verify(publicKey, signature));
  });

  it('defaults to one year of validity and honours opts.years', async () => {
    const oneYear = await createSelfSignedCertificate('one');
    const threeYears = await createSelfSignedCertificate('three', { years: 3 });
    const years = (c: { notBefore: Date; notAfter: Date }): number =>
      c.notAfter.getUTCFullYear() - c.notBefore.getUTCFullYear();
    assert.equal(years(oneYear), 1);
    assert.equal(years(threeYears), 3);
    await assert.rejects(createSelfSignedCertificate('zero', { years: 0 }), /whole number of years/);
  });

  it('keeps a common name with DN metacharacters as a single CN', async () => {
    const created = await createSelfSignedCertificate('app, O=Evil');
    const cert = new X509Certificate(created.certPem);
    assert.doesNotMatch(cert.subject, /^O=Evil$/m);
    assert.match(cert.subject, /^CN=/);
    assert.equal(cert.subject.split('\n').length, 1);
  });
});

describe('certificateThumbprints', () => {
  it('matches X509Certificate fingerprints and exposes validity and public key', async () => {
    const created = await createSelfSignedCertificate('thumbprints');
    const cert = new X509Certificate(created.certPem);
    const result = certificateThumbprints(created.certPem);

    assert.equal(result.sha1Hex, withoutColons(cert.fingerprint));
    assert.equal(result.sha256Hex, withoutColons(cert.fingerprint256));
    assert.equal(result.sha1Hex, created.thumbprintSha1Hex);
    assert.deepEqual(result.notBefore, created.notBefore);
    assert.deepEqual(result.notAfter, created.notAfter);
    assert.match(result.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.equal(
      createPublicKey(result.publicKeyPem).export({ type: 'spki', format: 'pem' }),
      cert.publicKey.export({ type: 'spki', format: 'pem' }),
    );
  });

  it('throws a clear error for malformed input', () => {
    assert.throws(() => certificateThumbprints(''), /Invalid certificate: expected PEM/);
    assert.throws(() => certificateThumbprints('not a certificate'), /Invalid certificate: expected PEM/);
    assert.throws(
      () => certificateThumbprints('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      /Invalid certificate: cannot parse PEM X\.509 certificate/,
    );
  });
});
