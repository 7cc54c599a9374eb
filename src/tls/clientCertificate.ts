/**
 * Certificates for application certificate credentials (what `az ad sp create-for-rbac
 * --create-cert` produces): self-signed, identified by their SHA-1 / SHA-256 thumbprints, which
 * clients send as the `x5t` / `x5t#S256` header of their client assertion.
 */
import { X509Certificate, createHash } from 'node:crypto';
import {
  exportPrivateKeyPem,
  generateRsaKeyPair,
  randomSerialNumber,
  signatureAlgorithmFor,
} from './keys.js';
import { x509 } from './x509.js';

export interface SelfSignedCertificate {
  certPem: string;
  /** PKCS#8 ("-----BEGIN PRIVATE KEY-----"). */
  privateKeyPem: string;
  thumbprintSha1Hex: string;
  thumbprintSha256Hex: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateThumbprints {
  /** Uppercase hex SHA-1 of the DER certificate, without separators. */
  sha1Hex: string;
  /** Uppercase hex SHA-256 of the DER certificate, without separators. */
  sha256Hex: string;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"). */
  publicKeyPem: string;
}

const DEFAULT_VALIDITY_YEARS = 1; // same default as `az ad sp create-for-rbac --years`

export async function createSelfSignedCertificate(
  commonName: string,
  opts: { years?: number } = {},
): Promise<SelfSignedCertificate> {
  const years = opts.years ?? DEFAULT_VALIDITY_YEARS;
  if (!Number.isInteger(years) || years < 1) {
    throw new Error(`Certificate validity must be a whole number of years (at least 1), got ${years}`);
  }
  const keys = await generateRsaKeyPair();
  const notBefore = new Date();
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    // Built as a Name object so a CN containing ',' or '=' cannot inject extra RDNs.
    name: new x509.Name([{ CN: [commonName] }]),
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: signatureAlgorithmFor(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = cert.toString('pem');
  // Report what the certificate itself says (second precision), not the generator's inputs.
  const parsed = certificateThumbprints(certPem);
  return {
    certPem,
    privateKeyPem: await exportPrivateKeyPem(keys.privateKey),
    thumbprintSha1Hex: parsed.sha1Hex,
    thumbprintSha256Hex: parsed.sha256Hex,
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
  };
}

export function certificateThumbprints(certPem: string): CertificateThumbprints {
  const cert = parsePemCertificate(certPem);
  return {
    sha1Hex: hashHex('sha1', cert.raw),
    sha256Hex: hashHex('sha256', cert.raw),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    publicKeyPem: cert.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function parsePemCertificate(certPem: string): X509Certificate {
  // OpenSSL's own message ("header too long", ...) says little about what the caller did wrong.
  if (typeof certPem !== 'string' || !certPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error('Invalid certificate: expected PEM text containing "-----BEGIN CERTIFICATE-----"');
  }
  try {
    return new X509Certificate(certPem);
  } catch (error) {
    throw new Error(`Invalid certificate: cannot parse PEM X.509 certificate (${(error as Error).message})`, {
      cause: error,
    });
  }
}

function hashHex(algorithm: 'sha1' | 'sha256', der: Buffer): string {
  return createHash(algorithm).update(der).digest('hex').toUpperCase();
}
