import type { EntitySetRules } from './rules.js';

/** Each account has one storage account, the blob endpoint Tessera serves, named as the account. */
export const storageAccounts: EntitySetRules = {
  set: 'StorageAccounts',
  builtIn: (account) => [{ Id: account.name, Name: account.name, IsDefault: true, BytesUsed: null }],
};
