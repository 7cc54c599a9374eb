import { createHash } from 'node:crypto';
import {
  exportPrivateKeyPem,
  generateRsaKeyPair,
  randomSerialNumber,
  signatureAlgorithmFor,
} from '../../tls/keys.js';
import { x509 } from '../../tls/x509.js';

/** Long enough that no client's wrapped keys outlive it; the service's certificates were long-lived too. */
const VALIDITY_YEARS = 20;

export interface MintedProtectionKey {
  /** Uppercase hex SHA-1 of the DER: what .NET's `X509Certificate2.Thumbprint` shows. */
  thumbprint: string;
  /** The DER certificate, base64: `GetProtectionKey`'s answer. */
  certificate: string;
  /** PKCS#8 PEM; never leaves the server. */
  privateKey: string;
}

export const thumbprintOf = (der: Buffer): string =>
  createHash('sha1').update(der).digest('hex').toUpperCase();

/**
 * A fresh RSA 2048 key pair and a self-signed certificate for it: what clients encrypt content
 * keys and webhook signing keys to. Key generation takes a noticeable fraction of a second, so an
 * account gets one once (protectionKeys.ts), never per request. Key usage allows key and data
 * encipherment (what the wrap is) and signatures (the certificate signs itself).
 */
export async function mintProtectionKey(account: string, now: number): Promise<MintedProtectionKey> {
  const keys = await generateRsaKeyPair();
  const notBefore = new Date(now - 60 * 60 * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: `CN=${account} content key protection, O=Tessera Media Services`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: signatureAlgorithmFor(keys.privateKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyEncipherment |
          x509.KeyUsageFlags.dataEncipherment |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const der = Buffer.from(certificate.rawData);
  return {
    thumbprint: thumbprintOf(der),
    certificate: der.toString('base64'),
    privateKey: await exportPrivateKeyPem(keys.privateKey),
  };
}
