import { mediaErrors } from '../errors.js';
import { newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import { decodeBase64 } from '../protection/base64.js';
import { PROTECTION_KEY_TYPE_X509_THUMBPRINT } from '../protection/contentKeyTypes.js';
import { decryptWithProtectionKey, normalizeThumbprint } from '../protection/protectionKeys.js';
import type { EntitySetRules, RuleContext } from './rules.js';
import { enumValue, has, merged, optionalString, requiredString } from './values.js';
import type { Values } from './values.js';

export const EndPointType = { AzureQueue: 1, AzureTable: 2, WebHook: 3 } as const;
/** NotificationEndPointCredentialType (SDK 4.x). */
export const CredentialType = { None: 0, SigningKey: 1 } as const;

/**
 * The webhook's signing key, as the SDK's `NotificationEndPoints.Create(name, WebHook, address,
 * byte[] credential)` sends it: the key wrapped (RSA-OAEP, SHA-1) to the account's protection key
 * for ConfigurationEncryption, `CredentialType` 1 (SigningKey), `ProtectionKeyType` 0 and the
 * certificate's thumbprint as `ProtectionKeyId`. Unwrapped once, here: the clear key is kept as
 * the hidden `_signingKey` (base64) that jobs/notifications.ts signs messages with; serializers
 * write declared properties only, so it never reaches a response.
 */
function credential(ctx: RuleContext, values: Values, type: number) {
  const encrypted = optionalString(values, 'EncryptedEndPointCredential', 8192) || undefined;
  const declared = has(values, 'CredentialType')
    ? enumValue(values, 'CredentialType', Object.values(CredentialType), CredentialType.None)
    : undefined;
  const protectionKeyType = enumValue(
    values,
    'ProtectionKeyType',
    [PROTECTION_KEY_TYPE_X509_THUMBPRINT],
    PROTECTION_KEY_TYPE_X509_THUMBPRINT,
  );
  if (encrypted === undefined) {
    if (declared === CredentialType.SigningKey)
      throw mediaErrors.missingProperty('EncryptedEndPointCredential');
    return {
      CredentialType: CredentialType.None,
      EncryptedEndPointCredential: null,
      ProtectionKeyType: protectionKeyType,
      ProtectionKeyId: optionalString(values, 'ProtectionKeyId', 128) || null,
    };
  }
  if (type !== EndPointType.WebHook) {
    throw mediaErrors.invalidProperty(
      'EncryptedEndPointCredential',
      'only webhook endpoints take a signing key.',
    );
  }
  if (declared === CredentialType.None) {
    throw mediaErrors.invalidProperty(
      'CredentialType',
      'an endpoint with a credential has CredentialType 1 (SigningKey).',
    );
  }
  const thumbprint = normalizeThumbprint(requiredString(values, 'ProtectionKeyId', 128));
  const ciphertext = decodeBase64(encrypted);
  if (!ciphertext)
    throw mediaErrors.invalidProperty('EncryptedEndPointCredential', 'a base64 value is expected.');
  const signingKey = decryptWithProtectionKey(
    ctx.writer,
    thumbprint,
    ciphertext,
    'EncryptedEndPointCredential',
  );
  return {
    CredentialType: CredentialType.SigningKey,
    EncryptedEndPointCredential: encrypted,
    ProtectionKeyType: protectionKeyType,
    ProtectionKeyId: thumbprint,
    _signingKey: signingKey.toString('base64'),
  };
}

function address(values: Readonly<Record<string, unknown>>, type: number): string {
  const value = requiredString(values, 'EndPointAddress', 2048);
  if (type === EndPointType.WebHook) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw mediaErrors.invalidProperty('EndPointAddress', 'a webhook address must be an absolute URL.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw mediaErrors.invalidProperty('EndPointAddress', 'a webhook address must be an http or https URL.');
    }
  }
  return value;
}

/**
 * Where job and task state changes are sent. Webhooks are delivered (jobs/notifications.ts);
 * Azure Queue endpoints are stored as the service stored them, but no queue service exists here
 * to deliver to.
 */
export const notificationEndPoints: EntitySetRules = {
  set: 'NotificationEndPoints',
  create(ctx, body) {
    const values = body.values;
    const type = enumValue(values, 'EndPointType', [1, 2, 3], -1);
    const endpoint: EntityRecord = {
      Id: newId('nepid'),
      Name: optionalString(values, 'Name', 256) ?? '',
      Created: ctx.now,
      EndPointAddress: address(values, type),
      EndPointType: type,
      ...credential(ctx, values, type),
    };
    ctx.writer.insert('NotificationEndPoints', endpoint);
    return endpoint;
  },
  update(ctx, existing, body, replace) {
    return merged(
      existing,
      body.values,
      {
        Name: (v) => optionalString(v, 'Name', 256) ?? '',
        EndPointAddress: (v) => address(v, existing.EndPointType as number),
      },
      replace,
      ctx.now,
    );
  },
  remove(ctx, existing) {
    ctx.writer.remove('NotificationEndPoints', existing.Id as string);
  },
};
