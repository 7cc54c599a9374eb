import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { x509 } from './x509.js';

export type SigningKeyPair = webcrypto.CryptoKeyPair;

// RSA 2048 with SHA-256 is the lowest common denominator: every TLS stack and trust store a client
// of Tessera might use (Node, Chromium, Firefox, Safari, .NET, Java, Python) accepts it.
const RSA_SIGNING_ALGORITHM = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
} as const;

export async function generateRsaKeyPair(): Promise<SigningKeyPair> {
  return webcrypto.subtle.generateKey(
    { ...RSA_SIGNING_ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  );
}

export async function exportPrivateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * Imports a PEM private key for signing. Goes through Node's KeyObject first so that keys a test
 * harness produced with OpenSSL (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY") work too.
 */
export async function importSigningKey(pem: string): Promise<webcrypto.CryptoKey> {
  const keyObject = createPrivateKey(pem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, signingAlgorithmFor(keyObject), false, ['sign']);
}

function signingAlgorithmFor(
  keyObject: ReturnType<typeof createPrivateKey>,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  const type = keyObject.asymmetricKeyType;
  if (type === 'rsa') return RSA_SIGNING_ALGORITHM;
  if (type === 'ec') {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'secp384r1' ? 'P-384' : curve === 'secp521r1' ? 'P-521' : 'P-256';
    return { name: 'ECDSA', namedCurve };
  }
  throw new Error(`Unsupported private key type "${type ?? 'unknown'}": expected an RSA or EC key`);
}

/** Signature algorithm to pass to the certificate generator for a given signing key. */
export function signatureAlgorithmFor(
  key: webcrypto.CryptoKey,
): webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams {
  if (key.algorithm.name === 'ECDSA') {
    const curve = (key.algorithm as webcrypto.EcKeyAlgorithm).namedCurve;
    return { name: 'ECDSA', hash: curve === 'P-384' ? 'SHA-384' : curve === 'P-521' ? 'SHA-512' : 'SHA-256' };
  }
  return RSA_SIGNING_ALGORITHM;
}

/**
 * A random positive serial (RFC 5280 4.1.2.2: at most 20 octets, positive). Clearing the top bit
 * keeps the DER INTEGER positive; setting a low bit of the first byte keeps it minimal-length.
 */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}
