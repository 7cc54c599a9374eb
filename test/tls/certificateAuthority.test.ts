import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { caCertificatePath, ensureTlsMaterial } from '../../src/tls/certificateAuthority.js';
import type { TlsMaterial } from '../../src/tls/certificateAuthority.js';
import { x509 } from '../../src/tls/x509.js';

const DAY_MS = 24 * 60 * 60 * 1000;
let root: string;

async function newDataDir(): Promise<string> {
  return mkdtemp(path.join(root, 'data-'));
}

function fileMode(file: string): Promise<number> {
  return stat(file).then((s) => s.mode & 0o777);
}

function assertIssuedBy(serverCertPem: string, caCertPem: string): X509Certificate {
  const server = new X509Certificate(serverCertPem);
  const ca = new X509Certificate(caCertPem);
  assert.ok(server.checkIssued(ca), 'issuer name matches the CA subject');
  assert.ok(server.verify(ca.publicKey), 'signature verifies with the CA public key');
  return server;
}

/** Makes one HTTPS request to a server using `material`, trusting only its CA. */
async function httpsRoundTrip(material: TlsMaterial): Promise<{ status: number; body: string }> {
  const server = https.createServer(
    { cert: material.serverCertPem, key: material.serverKeyPem },
    (_req, res) => res.end('hello over tls'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const req = https.get(
        { host: '127.0.0.1', port, path: '/', servername: 'localhost', ca: material.caCertPem, agent: false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A server certificate signed by the CA in `dataDir` that expires in `days` days. */
async function issueShortLivedServerCertificate(dataDir: string, days: number): Promise<string> {
  const tlsDir = path.join(dataDir, 'tls');
  const caCert = new x509.X509Certificate((await readText(path.join(tlsDir, 'ca.pem'))).trim());
  const caKeyDer = createPrivateKey(await readText(path.join(tlsDir, 'ca-key.pem'))).export({
    type: 'pkcs8',
    format: 'der',
  });
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const signingKey = await webcrypto.subtle.importKey('pkcs8', caKeyDer, algorithm, false, ['sign']);
  // Reuse the stored server key, so only the certificate is stale.
  const serverKeyPem = await readText(path.join(tlsDir, 'server-key.pem'));
  const spki = createPublicKey(serverKeyPem).export({ type: 'spki', format: 'der' });
  const publicKey = await webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify']);
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=localhost',
    issuer: caCert.subjectName,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + days * DAY_MS),
    publicKey,
    signingKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
    ],
  });
  return cert.toString('pem');
}

function readText(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-tls-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ensureTlsMaterial', () => {
  it('creates a CA and a server certificate under <dataDir>/tls', async () => {
    const dataDir = await newDataDir();
    const material = await ensureTlsMaterial(dataDir);

    assert.equal(material.caCertPath, path.join(dataDir, 'tls', 'ca.pem'));
    assert.equal(caCertificatePath(dataDir), material.caCertPath);
    assert.equal(await readText(material.caCertPath), material.caCertPem);
    assert.equal(await readText(path.join(dataDir, 'tls', 'server.pem')), material.serverCertPem);
    assert.equal(await readText(path.join(dataDir, 'tls', 'server-key.pem')), material.serverKeyPem);
    assert.match(material.serverKeyPem, /^-----BEGIN PRIVATE KEY-----/);

    const ca = new X509Certificate(material.caCertPem);
    assert.equal(ca.ca, true);
    assert.match(ca.subject, /^CN=Tessera Local CA [0-9a-f]{8}\nO=Tessera$/);
    const caValidityYears = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365.25 * DAY_MS);
    assert.ok(Math.abs(caValidityYears - 10) < 0.01, `CA valid for ~10 years, got ${caValidityYears}`);
    assert.equal(ca.publicKey.asymmetricKeyType, 'rsa');
    assert.equal(ca.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  });

  it('keeps key files private (0600) and the tls folder owner-only (0700)', async () => {
    const dataDir = await newDataDir();
    await ensureTlsMaterial(dataDir);
    assert.equal(await fileMode(path.join(dataDir, 'tls', 'ca-key.pem')), 0o600);
    assert.equal(await fileMode(path.join(dataDir, 'tls', 'server-key.pem')), 0o600);
    assert.equal(await fileMode(path.join(dataDir, 'tls')), 0o700);
  });

  it('reuses the CA and a still-valid server certificate across calls', async () => {
    const dataDir = await newDataDir();
    const first = await ensureTlsMaterial(dataDir);
    const second = await ensureTlsMaterial(dataDir);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.equal(second.serverCertPem, first.serverCertPem);
    assert.equal(second.serverKeyPem, first.serverKeyPem);
  });

  it('issues a server certificate that verifies against the CA for localhost and loopback IPs', async () => {
    const material = await ensureTlsMaterial(await newDataDir());
    const server = assertIssuedBy(material.serverCertPem, material.caCertPem);
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkIP('::1'), '::1');
    assert.equal(server.ca, false);
    assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']); // EKU serverAuth
    assert.ok(server.checkPrivateKey(createPrivateKey(material.serverKeyPem)));
    const validityDays = (Date.parse(server.validTo) - Date.parse(server.validFrom)) / DAY_MS;
    assert.ok(validityDays <= 398, `browsers reject server certificates valid > 398 days (${validityDays})`);
  });

  it('serves HTTPS to a client that trusts only the CA', async () => {
    const material = await ensureTlsMaterial(await newDataDir());
    assert.deepEqual(await httpsRoundTrip(material), { status: 200, body: 'hello over tls' });
  });

  it('uses a pre-seeded CA (ca.pem + ca-key.pem only) to issue the server certificate', async () => {
    const seed = await ensureTlsMaterial(await newDataDir());
    const seedTls = path.dirname(seed.caCertPath);
    const dataDir = await newDataDir();
    await mkdir(path.join(dataDir, 'tls'), { recursive: true });
    await copyFile(path.join(seedTls, 'ca.pem'), path.join(dataDir, 'tls', 'ca.pem'));
    await copyFile(path.join(seedTls, 'ca-key.pem'), path.join(dataDir, 'tls', 'ca-key.pem'));

    const material = await ensureTlsMaterial(dataDir);
    assert.equal(material.caCertPem, seed.caCertPem);
    assert.notEqual(material.serverCertPem, seed.serverCertPem);
    assertIssuedBy(material.serverCertPem, seed.caCertPem);
    assert.deepEqual(await httpsRoundTrip({ ...material, caCertPem: seed.caCertPem }), {
      status: 200,
      body: 'hello over tls',
    });
  });

  it('accepts a pre-seeded CA key in OpenSSL PKCS#1 form', async () => {
    const seed = await ensureTlsMaterial(await newDataDir());
    const seedKeyPem = await readText(path.join(path.dirname(seed.caCertPath), 'ca-key.pem'));
    const pkcs1 = createPrivateKey(seedKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    const dataDir = await newDataDir();
    await mkdir(path.join(dataDir, 'tls'), { recursive: true });
    await writeFile(path.join(dataDir, 'tls', 'ca.pem'), seed.caCertPem);
    await writeFile(path.join(dataDir, 'tls', 'ca-key.pem'), pkcs1, { mode: 0o600 });

    const material = await ensureTlsMaterial(dataDir);
    assertIssuedBy(material.serverCertPem, seed.caCertPem);
  });

  it('puts extraHostnames in the SAN, re-issuing when a new name is requested', async () => {
    const dataDir = await newDataDir();
    const plain = await ensureTlsMaterial(dataDir);
    const extended = await ensureTlsMaterial(dataDir, {
      extraHostnames: ['*.azconfig.localhost', 'Tessera.Localhost'],
    });
    assert.equal(extended.caCertPem, plain.caCertPem);
    assert.notEqual(extended.serverCertPem, plain.serverCertPem);

    const server = assertIssuedBy(extended.serverCertPem, extended.caCertPem);
    const san = server.subjectAltName ?? '';
    assert.match(san, /DNS:\*\.azconfig\.localhost/);
    assert.match(san, /DNS:tessera\.localhost/);
    // checkHost() answers with the SAN entry that matched.
    assert.equal(server.checkHost('store1.azconfig.localhost'), '*.azconfig.localhost');
    assert.equal(server.checkHost('other.localhost'), undefined);
    assert.equal(server.checkHost('localhost'), 'localhost');

    // Same names again (in any case/order): no re-issue.
    const again = await ensureTlsMaterial(dataDir, {
      extraHostnames: ['tessera.localhost', '*.azconfig.localhost'],
    });
    assert.equal(again.serverCertPem, extended.serverCertPem);
    // A subset of the names is still covered: no re-issue either.
    assert.equal((await ensureTlsMaterial(dataDir)).serverCertPem, extended.serverCertPem);
  });

  it('re-issues a server certificate that expires within 30 days', async () => {
    const dataDir = await newDataDir();
    const original = await ensureTlsMaterial(dataDir);
    const shortLived = await issueShortLivedServerCertificate(dataDir, 10);
    await writeFile(path.join(dataDir, 'tls', 'server.pem'), shortLived);

    const renewed = await ensureTlsMaterial(dataDir);
    assert.notEqual(renewed.serverCertPem, shortLived);
    assert.equal(renewed.caCertPem, original.caCertPem);
    const server = assertIssuedBy(renewed.serverCertPem, renewed.caCertPem);
    assert.ok(Date.parse(server.validTo) > Date.now() + 300 * DAY_MS);
  });

  it('re-issues a server certificate that another CA signed', async () => {
    const dataDir = await newDataDir();
    const own = await ensureTlsMaterial(dataDir);
    const foreign = await ensureTlsMaterial(await newDataDir());
    await writeFile(path.join(dataDir, 'tls', 'server.pem'), foreign.serverCertPem);
    await writeFile(path.join(dataDir, 'tls', 'server-key.pem'), foreign.serverKeyPem);

    const material = await ensureTlsMaterial(dataDir);
    assert.equal(material.caCertPem, own.caCertPem);
    assertIssuedBy(material.serverCertPem, own.caCertPem);
  });

  it('refuses to replace a CA certificate whose key is missing', async () => {
    const dataDir = await newDataDir();
    await ensureTlsMaterial(dataDir);
    await unlink(path.join(dataDir, 'tls', 'ca-key.pem'));
    await assert.rejects(ensureTlsMaterial(dataDir), /ca-key\.pem is missing/);
  });

  it('rejects malformed extra hostnames', async () => {
    await assert.rejects(
      ensureTlsMaterial(await newDataDir(), { extraHostnames: ['bad host'] }),
      /Invalid TLS hostname "bad host"/,
    );
  });
});
