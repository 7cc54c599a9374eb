import { timingSafeEqual } from 'node:crypto';
import { mediaErrors } from '../errors.js';
import { guidOf } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import { decodeBase64 } from '../protection/base64.js';
import { contentKeyChecksum } from '../protection/checksum.js';
import {
  CREATABLE_KEY_TYPES,
  ContentKeyType,
  PROTECTION_KEY_TYPE_X509_THUMBPRINT,
  checksumRequired,
  keyLengthProblem,
} from '../protection/contentKeyTypes.js';
import { decryptWithProtectionKey, normalizeThumbprint } from '../protection/protectionKeys.js';
import type { EntitySetRules, RuleContext } from './rules.js';
import { checkWriteOnce, enumValue, merged, optionalString, requiredString } from './values.js';
import type { Values } from './values.js';

/** What a client cannot change once the key exists: the key itself and how it is wrapped. */
const WRITE_ONCE = [
  'Id',
  'ContentKeyType',
  'EncryptedContentKey',
  'ProtectionKeyId',
  'ProtectionKeyType',
  'Checksum',
];

/** The key id's guid: the client chooses it (the SDK's `nb:kid:UUID:` + `Guid.ToString()`). */
function keyGuid(id: string): string {
  const guid = guidOf(id, 'kid');
  if (!guid)
    throw mediaErrors.invalidProperty('Id', `a content key id has the form nb:kid:UUID:<guid>, not '${id}'.`);
  return guid;
}

function authorizationPolicy(ctx: RuleContext, values: Values): string | null {
  const id = optionalString(values, 'AuthorizationPolicyId', 128);
  if (id === undefined || id === '') return null;
  if (!ctx.writer.get('ContentKeyAuthorizationPolicies', id)) {
    throw mediaErrors.invalidProperty(
      'AuthorizationPolicyId',
      `the content key authorization policy '${id}' does not exist.`,
    );
  }
  return id;
}

/**
 * Proves the key unwrapped to what the client wrapped: its length suits its type and, where the
 * SDK sends one, the checksum (AES-ECB of the key id, checksum.ts) matches. The clear key is
 * only looked at here, never stored.
 */
function checkClearKey(clear: Buffer, type: number, guid: string, checksum: string | undefined): void {
  const lengthProblem = keyLengthProblem(type, clear.length);
  if (lengthProblem) throw mediaErrors.invalidProperty('EncryptedContentKey', lengthProblem);
  if (checksum === undefined) {
    if (checksumRequired(type)) throw mediaErrors.missingProperty('Checksum');
    return;
  }
  const expected = contentKeyChecksum(clear, guid);
  if (expected === undefined) {
    throw mediaErrors.invalidProperty(
      'Checksum',
      'no checksum can be computed for a key of this length; leave it out.',
    );
  }
  const given = decodeBase64(checksum);
  const wanted = Buffer.from(expected, 'base64');
  if (!given || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw mediaErrors.invalidProperty(
      'Checksum',
      'it does not match the content key and key id (base64 of the first 8 bytes of AES-ECB(key, Guid.ToByteArray())).',
    );
  }
}

/**
 * ContentKeys: content keys a client wraps (RSA-OAEP, SHA-1) to the account's protection key
 * (protection/protectionKeys.ts) and posts with the key id it chose. The service unwraps the key
 * once to check it and stores only the wrapped form; `RebindContentKey` unwraps it again when a
 * client asks. Assets link to keys through `Assets('…')/$links/ContentKeys`.
 */
export const contentKeys: EntitySetRules = {
  set: 'ContentKeys',
  create(ctx, body) {
    const values = body.values;
    const id = requiredString(values, 'Id', 128);
    const guid = keyGuid(id);
    if (ctx.writer.list('ContentKeys').some((k) => guidOf(k.Id as string) === guid)) {
      throw mediaErrors.conflict(`A content key with the id '${id}' already exists.`);
    }
    const type = enumValue(values, 'ContentKeyType', CREATABLE_KEY_TYPES, ContentKeyType.CommonEncryption);
    const protectionKeyType = enumValue(
      values,
      'ProtectionKeyType',
      [PROTECTION_KEY_TYPE_X509_THUMBPRINT],
      PROTECTION_KEY_TYPE_X509_THUMBPRINT,
    );
    const thumbprint = normalizeThumbprint(requiredString(values, 'ProtectionKeyId', 128));
    const encrypted = requiredString(values, 'EncryptedContentKey', 8192);
    const ciphertext = decodeBase64(encrypted);
    if (!ciphertext) throw mediaErrors.invalidProperty('EncryptedContentKey', 'a base64 value is expected.');
    const checksum = optionalString(values, 'Checksum', 128) || undefined;
    const clear = decryptWithProtectionKey(ctx.writer, thumbprint, ciphertext);
    try {
      checkClearKey(clear, type, guid, checksum);
    } finally {
      clear.fill(0);
    }
    const key: EntityRecord = {
      Id: id,
      Created: ctx.now,
      LastModified: ctx.now,
      ContentKeyType: type,
      EncryptedContentKey: encrypted,
      Name: optionalString(values, 'Name', 4000) ?? null,
      ProtectionKeyId: thumbprint,
      ProtectionKeyType: protectionKeyType,
      Checksum: checksum ?? null,
      AuthorizationPolicyId: authorizationPolicy(ctx, values),
    };
    ctx.writer.insert('ContentKeys', key);
    return key;
  },
  update(ctx, existing, body, replace) {
    // The SDK's UpdateAsync sends the whole entity back: unchanged values pass, changed ones do not.
    checkWriteOnce(existing, body.values, WRITE_ONCE);
    return merged(
      existing,
      body.values,
      {
        Name: (v) => optionalString(v, 'Name', 4000),
        AuthorizationPolicyId: (v) => authorizationPolicy(ctx, v),
      },
      replace,
      ctx.now,
    );
  },
  remove(ctx, existing) {
    const id = existing.Id as string;
    for (const link of ctx.writer.linksTo('ContentKeys', id)) ctx.writer.unlink(link);
    ctx.writer.remove('ContentKeys', id);
  },
};
