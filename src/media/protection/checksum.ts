import { createCipheriv } from 'node:crypto';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A GUID's 16 bytes as .NET's `Guid.ToByteArray()` lays them out: the first three groups
 * (Data1 as a 32-bit, Data2 and Data3 as 16-bit integers) little-endian, the last two groups as
 * written. Not the RFC 4122 (big-endian) order: a checksum computed over those bytes would not
 * match any the SDK sent.
 */
export function dotnetGuidBytes(guid: string): Buffer {
  if (!GUID.test(guid)) throw new Error(`'${guid}' is not a GUID`);
  const hex = guid.replace(/-/g, '');
  const bytes = Buffer.from(hex, 'hex');
  return Buffer.concat([
    Buffer.from(bytes.subarray(0, 4)).reverse(),
    Buffer.from(bytes.subarray(4, 6)).reverse(),
    Buffer.from(bytes.subarray(6, 8)).reverse(),
    bytes.subarray(8, 16),
  ]);
}

const AES_ECB: Readonly<Record<number, string>> = { 16: 'aes-128-ecb', 24: 'aes-192-ecb', 32: 'aes-256-ecb' };

/**
 * The SDK's `EncryptionUtils.CalculateChecksum`: the key id's .NET bytes encrypted with the
 * content key (AES, ECB, no padding: one block), the first 8 bytes of that, base64. Proves the
 * service unwrapped the key the client meant. Undefined when the key is no AES key size.
 */
export function contentKeyChecksum(contentKey: Buffer, keyIdGuid: string): string | undefined {
  const algorithm = AES_ECB[contentKey.length];
  if (!algorithm) return undefined;
  const cipher = createCipheriv(algorithm, contentKey, null).setAutoPadding(false);
  const block = Buffer.concat([cipher.update(dotnetGuidBytes(keyIdGuid)), cipher.final()]);
  return block.subarray(0, 8).toString('base64');
}
