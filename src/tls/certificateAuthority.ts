/**
 * The local certificate authority behind Tessera's HTTPS listener.
 *
 * Azure SDKs refuse plain-HTTP token endpoints, so Tessera serves TLS with a server certificate
 * issued by a per-data-folder CA. Users (or a test harness) trust `ca.pem` once; the server
 * certificate can then be re-issued freely (new hostnames, renewal) without re-trusting anything.
 */
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import {
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  ensurePrivateDirectory,
  readOptionalFile,
  writeFileAtomic,
} from './files.js';
import {
  exportPrivateKeyPem,
  generateRsaKeyPair,
  importSigningKey,
  randomSerialNumber,
  signatureAlgorithmFor,
} from './keys.js';
import { x509 } from './x509.js';

export interface TlsMaterial {
  caCertPath: string;
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

export interface EnsureTlsMaterialOptions {
  /** Extra DNS names for the server certificate, e.g. `*.azconfig.localhost`. */
  extraHostnames?: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_YEARS = 10;
// Chromium and Apple reject TLS server certificates valid for more than 398 days.
const SERVER_VALIDITY_DAYS = 397;
const SERVER_RENEWAL_MARGIN_DAYS = 30;
// Backdating tolerates clients whose clocks run a little behind ours (VMs, containers).
const BACKDATE_MS = 60 * 60 * 1000;

// `*.localhost` would be a wildcard directly under a TLD, which browsers refuse to match, so the
// base set names `localhost` and the loopback addresses; callers add specific subdomains.
const BASE_DNS_NAMES = ['localhost'];
const BASE_IP_ADDRESSES = ['127.0.0.1', '::1'];

export interface TlsPaths {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

export interface CaMaterial {
  certPem: string;
  keyPem: string;
  cert: X509Certificate;
}

export interface RequiredNames {
  dnsNames: string[];
  ipAddresses: string[];
}

export function caCertificatePath(dataDir: string): string {
  return tlsPaths(dataDir).caCert;
}

export async function ensureTlsMaterial(
  dataDir: string,
  opts: EnsureTlsMaterialOptions = {},
): Promise<TlsMaterial> {
  const paths = tlsPaths(dataDir);
  const names = requiredNames(opts.extraHostnames ?? []);
  await ensurePrivateDirectory(paths.dir);
  const ca = await loadOrCreateCa(paths);
  const server = await loadOrIssueServerCertificate(paths, ca, names);
  return {
    caCertPath: paths.caCert,
    caCertPem: ca.certPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
  };
}

export function tlsPaths(dataDir: string): TlsPaths {
  const dir = path.join(dataDir, 'tls');
  return {
    dir,
    caCert: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server-key.pem'),
  };
}

export function requiredNames(extraHostnames: string[]): RequiredNames {
  const dnsNames = new Set(BASE_DNS_NAMES);
  const ipAddresses = new Set(BASE_IP_ADDRESSES);
  for (const raw of extraHostnames) {
    const name = raw.trim().toLowerCase();
    if (isIP(name)) ipAddresses.add(name);
    else dnsNames.add(assertDnsName(name));
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

function assertDnsName(name: string): string {
  // Labels of letters, digits, '-' and '_', optionally led by a single '*.' wildcard label.
  if (!/^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) {
    throw new Error(`Invalid TLS hostname "${name}": expected a DNS name such as "*.azconfig.localhost"`);
  }
  return name;
}

// --- Certificate authority --------------------------------------------------------------------

export async function loadOrCreateCa(paths: TlsPaths): Promise<CaMaterial> {
  const certPem = await readOptionalFile(paths.caCert);
  const keyPem = await readOptionalFile(paths.caKey);
  if (certPem !== undefined && keyPem !== undefined) {
    const ca = validateCa(paths, certPem, keyPem);
    // Earlier releases wrote ca.pem without a final newline.
    if (!certPem.endsWith('\n')) await writeCaCertificate(paths, ca.certPem);
    return ca;
  }
  if (certPem !== undefined) {
    // Never replace a CA that may already be trusted somewhere just because its key went missing.
    throw new Error(
      `TLS CA certificate ${paths.caCert} exists but its key ${paths.caKey} is missing; ` +
        'restore the key, or delete both files to create a new CA (which must then be trusted again)',
    );
  }
  // A key without a certificate is left over from an interrupted creation (the key is written
  // first) and was never trusted by anyone, so it is safe to start over.
  return createCa(paths);
}

/** `paths` names where the CA came from, for messages: its files, or the database. */
export function validateCa(
  paths: Pick<TlsPaths, 'caCert' | 'caKey'>,
  storedCertPem: string,
  keyPem: string,
): CaMaterial {
  const certPem = withFinalNewline(storedCertPem);
  const cert = parseCertificate(certPem, paths.caCert);
  if (!cert.ca) throw new Error(`TLS CA certificate ${paths.caCert} is not a CA (basicConstraints CA:false)`);
  if (!cert.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new Error(`TLS CA key ${paths.caKey} does not belong to the certificate ${paths.caCert}`);
  }
  if (new Date(cert.validTo).getTime() <= Date.now()) {
    throw new Error(
      `TLS CA certificate ${paths.caCert} expired on ${cert.validTo}; ` +
        'delete ca.pem and ca-key.pem to create a new CA (which must then be trusted again)',
    );
  }
  return { certPem, keyPem, cert };
}

async function createCa(paths: TlsPaths): Promise<CaMaterial> {
  const keys = await generateRsaKeyPair();
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    // The random suffix tells apart the CAs of different data folders in a trust store listing.
    name: `CN=Tessera Local CA ${randomBytes(4).toString('hex')}, O=Tessera`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: signatureAlgorithmFor(keys.privateKey),
    extensions: [
      // pathLength 0: this CA only ever signs leaf certificates, never intermediates.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = withFinalNewline(cert.toString('pem'));
  const keyPem = withFinalNewline(await exportPrivateKeyPem(keys.privateKey));
  // Key first: the certificate's presence is what marks the CA as complete.
  await writeFileAtomic(paths.caKey, keyPem, PRIVATE_FILE_MODE);
  await writeCaCertificate(paths, certPem);
  return { certPem, keyPem, cert: new X509Certificate(certPem) };
}

const writeCaCertificate = (paths: TlsPaths, certPem: string): Promise<void> =>
  writeFileAtomic(paths.caCert, certPem, PUBLIC_FILE_MODE);

/**
 * PEM files end with a newline, as OpenSSL writes them: a bundle made by appending another
 * certificate (`cat ca.pem >> bundle.pem`, REQUESTS_CA_BUNDLE for Python) breaks without it.
 */
export const withFinalNewline = (pem: string): string => (pem.endsWith('\n') ? pem : `${pem}\n`);

// --- Server certificate -----------------------------------------------------------------------

async function loadOrIssueServerCertificate(
  paths: TlsPaths,
  ca: CaMaterial,
  names: RequiredNames,
): Promise<{ certPem: string; keyPem: string }> {
  const certPem = await readOptionalFile(paths.serverCert);
  const keyPem = await readOptionalFile(paths.serverKey);
  if (
    certPem !== undefined &&
    keyPem !== undefined &&
    isServerCertificateUsable(certPem, keyPem, ca, names)
  ) {
    return { certPem, keyPem };
  }
  const issued = await issueServerCertificate(ca, names);
  await writeFileAtomic(paths.serverKey, issued.keyPem, PRIVATE_FILE_MODE);
  await writeFileAtomic(paths.serverCert, issued.certPem, PUBLIC_FILE_MODE);
  return issued;
}

/** Any doubt about the stored certificate (unparsable, stale, wrong CA, missing a name) means re-issue. */
export function isServerCertificateUsable(
  certPem: string,
  keyPem: string,
  ca: CaMaterial,
  names: RequiredNames,
): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const now = Date.now();
    return (
      cert.checkPrivateKey(createPrivateKey(keyPem)) &&
      // A pre-seeded or replaced CA invalidates certificates issued by the previous one.
      cert.checkIssued(ca.cert) &&
      cert.verify(ca.cert.publicKey) &&
      new Date(cert.validFrom).getTime() <= now &&
      new Date(cert.validTo).getTime() > now + SERVER_RENEWAL_MARGIN_DAYS * DAY_MS &&
      coversNames(certPem, cert, names)
    );
  } catch {
    return false;
  }
}

function coversNames(certPem: string, cert: X509Certificate, names: RequiredNames): boolean {
  // Exact SAN entries rather than checkHost(): a wildcard SAN must be present as itself, not merely
  // matched by some other entry.
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  const dnsSans = new Set(
    (san?.names.toJSON() ?? []).filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
  );
  // checkIP() compares addresses, so '::1' matches however the SAN happens to be rendered.
  return (
    names.dnsNames.every((name) => dnsSans.has(name)) &&
    names.ipAddresses.every((ip) => cert.checkIP(ip) !== undefined)
  );
}

/** The names a server certificate covers (its DNS and IP subject alternative names). */
export function certificateNames(certPem: string): RequiredNames {
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  const entries = san?.names.toJSON() ?? [];
  return {
    dnsNames: entries.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
    ipAddresses: entries.filter((n) => n.type === 'ip').map((n) => n.value),
  };
}

export async function issueServerCertificate(
  ca: CaMaterial,
  names: RequiredNames,
): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateRsaKeyPair();
  const caKey = await importSigningKey(ca.keyPem);
  const caCert = new x509.X509Certificate(ca.certPem);
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  // Never outlive the issuing CA: clients would reject the chain after the CA expires anyway.
  const notAfter = new Date(
    Math.min(notBefore.getTime() + SERVER_VALIDITY_DAYS * DAY_MS, caCert.notAfter.getTime()),
  );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: 'CN=localhost, O=Tessera',
    // The CA's own encoded Name, so the issuer bytes match the CA subject exactly for chain building.
    issuer: caCert.subjectName,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: signatureAlgorithmFor(caKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...names.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await authorityKeyIdentifier(caCert),
    ],
  });
  return {
    certPem: withFinalNewline(cert.toString('pem')),
    keyPem: withFinalNewline(await exportPrivateKeyPem(keys.privateKey)),
  };
}

/** Reuses the CA's own subjectKeyIdentifier when present, so AKI and SKI match byte for byte. */
async function authorityKeyIdentifier(caCert: x509.X509Certificate): Promise<x509.Extension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
}

function parseCertificate(pem: string, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new Error(`Cannot parse TLS certificate ${file}: ${(error as Error).message}`, { cause: error });
  }
}
