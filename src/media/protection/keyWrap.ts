import { X509Certificate, constants, createPrivateKey, privateDecrypt, publicEncrypt } from 'node:crypto';

/**
 * RSA-OAEP with SHA-1 (MGF1-SHA-1): what the SDK's `RSAOAEPKeyExchangeFormatter` writes, the only
 * wrap the v2 API knew, for content keys and webhook signing keys alike.
 */
const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' } as const;

/** Undefined when the ciphertext was not made for this key (or is no OAEP block at all). */
export function unwrapWithPrivateKey(privateKeyPem: string, ciphertext: Buffer): Buffer | undefined {
  try {
    return privateDecrypt({ key: createPrivateKey(privateKeyPem), ...OAEP }, ciphertext);
  } catch {
    return undefined;
  }
}

/** Why a certificate cannot take a wrapped key, or undefined when it can. */
export function certificateProblem(der: Buffer): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    return 'it is not a DER-encoded X.509 certificate.';
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') return 'the certificate does not hold an RSA key.';
  return undefined;
}

/** Wraps `data` for the holder of the certificate's private key. Check `certificateProblem` first. */
export function wrapForCertificate(der: Buffer, data: Buffer): Buffer {
  return publicEncrypt({ key: new X509Certificate(der).publicKey, ...OAEP }, data);
}
