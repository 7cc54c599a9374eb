import { mediaErrors } from '../errors.js';
import type { RuleContext } from '../entities/rules.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import { mintProtectionKey } from './certificate.js';
import { PROTECTION_KEY_TYPES, keyTypeName } from './contentKeyTypes.js';
import { unwrapWithPrivateKey } from './keyWrap.js';

/**
 * The account's protection keys: the certificates clients wrap content keys and webhook signing
 * keys to, with their private keys. A hidden entity set of the account's store: the name starts
 * with `_`, which no model set does, so no request path reaches it and it goes with the account.
 * Records: `{Id: thumbprint, Certificate: base64 DER, PrivateKey: PKCS#8 PEM, ContentKeyTypes, Created}`.
 *
 * One certificate serves every content key type. The service kept one per type, but nothing a
 * client does depends on that: the SDK asks `GetProtectionKeyId` for the type it is about to
 * create and uses whatever thumbprint comes back. `ContentKeyTypes` leaves room for a later
 * per-type key without a change of record.
 */
export const PROTECTION_KEYS_SET = '_ProtectionKeys';

/** `ab:cd…` or lower case as some clients print thumbprints; the stored Id is uppercase hex. */
export const normalizeThumbprint = (value: string): string => value.replace(/[\s:]/g, '').toUpperCase();

const keyFor = (view: AccountView, contentKeyType: number): EntityRecord | undefined =>
  view
    .list(PROTECTION_KEYS_SET)
    .find((r) => (r.ContentKeyTypes as readonly number[]).includes(contentKeyType));

/**
 * `GetProtectionKeyId?contentKeyType=N`: the thumbprint of the certificate to wrap a key of that
 * type to. The first call for an account mints the key pair and stages it in the caller's unit of
 * work, so it exists exactly when the answer naming it was committed.
 */
export async function protectionKeyId(ctx: RuleContext, contentKeyType: number): Promise<string> {
  if (!PROTECTION_KEY_TYPES.includes(contentKeyType)) {
    throw mediaErrors.badRequest(
      `The value ${contentKeyType} of the parameter 'contentKeyType' is not a content key type (${PROTECTION_KEY_TYPES.map((t) => `${t} ${keyTypeName(t)}`).join(', ')}).`,
    );
  }
  const existing = keyFor(ctx.writer, contentKeyType);
  if (existing) return existing.Id as string;
  const minted = await mintProtectionKey(ctx.account.name, ctx.now);
  ctx.writer.insert(PROTECTION_KEYS_SET, {
    Id: minted.thumbprint,
    Certificate: minted.certificate,
    PrivateKey: minted.privateKey,
    ContentKeyTypes: [...PROTECTION_KEY_TYPES],
    Created: ctx.now,
  });
  return minted.thumbprint;
}

/** `GetProtectionKey?ProtectionKeyId='…'`: the base64 DER certificate, or undefined for a thumbprint the account does not have. */
export function protectionKey(view: AccountView, thumbprint: string): string | undefined {
  return view.get(PROTECTION_KEYS_SET, normalizeThumbprint(thumbprint))?.Certificate as string | undefined;
}

/** Whether the account has a protection key with this thumbprint. */
export const hasProtectionKey = (view: AccountView, thumbprint: string): boolean =>
  protectionKey(view, thumbprint) !== undefined;

/**
 * Unwraps what a client wrapped to one of the account's certificates. An unknown thumbprint is
 * the client's 400 on `ProtectionKeyId`; ciphertext that does not unwrap (another key, garbage,
 * wrong padding) is a 400 on `property`.
 */
export function decryptWithProtectionKey(
  view: AccountView,
  thumbprint: string,
  ciphertext: Buffer,
  property = 'EncryptedContentKey',
): Buffer {
  const record = view.get(PROTECTION_KEYS_SET, normalizeThumbprint(thumbprint));
  if (!record) {
    throw mediaErrors.invalidProperty(
      'ProtectionKeyId',
      `the account has no protection key with thumbprint '${thumbprint}'; ask GetProtectionKeyId for it.`,
    );
  }
  const clear = unwrapWithPrivateKey(record.PrivateKey as string, ciphertext);
  if (!clear) {
    throw mediaErrors.invalidProperty(
      property,
      `the value could not be decrypted with the protection key '${record.Id as string}' (RSA-OAEP with SHA-1 is expected).`,
    );
  }
  return clear;
}
