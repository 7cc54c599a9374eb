/**
 * ContentKeyType as the .NET SDK 4.x declares it (Microsoft.WindowsAzure.MediaServices.Client.
 * ContentKeyType). 5 was never assigned. UrlEncryption keys were "only used internally" by the
 * service: a certificate may be asked for them, but no client creates one.
 */
export const ContentKeyType = {
  CommonEncryption: 0,
  StorageEncryption: 1,
  ConfigurationEncryption: 2,
  UrlEncryption: 3,
  EnvelopeEncryption: 4,
  CommonEncryptionCbcs: 6,
  FairPlayASk: 7,
  FairPlayPfxPassword: 8,
} as const;

/** The values `GetProtectionKeyId?contentKeyType=N` accepts. */
export const PROTECTION_KEY_TYPES: readonly number[] = Object.values(ContentKeyType);

/** The values a client may create ContentKeys with. */
export const CREATABLE_KEY_TYPES: readonly number[] = PROTECTION_KEY_TYPES.filter(
  (t) => t !== ContentKeyType.UrlEncryption,
);

/** ProtectionKeyType: the only kind the service had is X509CertificateThumbprint. */
export const PROTECTION_KEY_TYPE_X509_THUMBPRINT = 0;

/**
 * The clear key's length in bytes, as the SDK builds each kind: AES-128 for the streaming keys
 * and the FairPlay ASK, AES-256 for storage (FileEncryption) and configuration
 * (ConfigurationEncryption). A FairPlay PFX password is UTF-8 text of any length the RSA-OAEP
 * wrap can carry.
 */
export function keyLengthProblem(type: number, length: number): string | undefined {
  switch (type) {
    case ContentKeyType.StorageEncryption:
    case ContentKeyType.ConfigurationEncryption:
      return length === 32 ? undefined : `a ${keyTypeName(type)} key is 32 bytes, not ${length}.`;
    case ContentKeyType.FairPlayPfxPassword:
      return length > 0 ? undefined : 'the password is empty.';
    default:
      return length === 16 ? undefined : `a ${keyTypeName(type)} key is 16 bytes, not ${length}.`;
  }
}

/** The SDK leaves the checksum out for a PFX password only (InitializeFairPlayPfxPassword). */
export const checksumRequired = (type: number): boolean => type !== ContentKeyType.FairPlayPfxPassword;

export function keyTypeName(type: number): string {
  return Object.entries(ContentKeyType).find(([, value]) => value === type)?.[0] ?? String(type);
}
