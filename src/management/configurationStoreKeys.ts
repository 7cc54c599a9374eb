import { randomBytes, randomInt } from 'node:crypto';
import type { Selectable, Transaction } from 'kysely';
import { nowSeconds } from '../clock.js';
import { TesseraError } from '../errors.js';
import type { Store } from '../store/database.js';
import type { KeySealing } from '../store/keyEncryption.js';
import type { ConfigurationStoreKeyTable, Database } from '../store/schema.js';

/** An App Configuration access key: an HMAC credential (id + secret) for the data plane. */
export interface AccessKey {
  id: string;
  name: string;
  /** base64 of 32 random bytes; the HMAC-SHA256 key. */
  value: string;
  readOnly: boolean;
  lastModified: number;
}

// Azure issues two read-write and two read-only keys, so either of a pair can be rotated
// while the other stays in use.
const SLOTS = [
  { name: 'Primary', readOnly: false },
  { name: 'Secondary', readOnly: false },
  { name: 'Primary Read Only', readOnly: true },
  { name: 'Secondary Read Only', readOnly: true },
] as const;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (length: number): string =>
  Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

// Azure's credential ids look like `Ab1c-l0-s0:…`: a short random prefix, then a random suffix.
const newCredentialId = (): string => `${randomText(4)}-l0-s0:${randomText(20)}`;
const newSecret = (): string => randomBytes(32).toString('base64');

/** The secret's place, bound into its sealing: a sealed secret moved to another key does not open. */
const purposeOf = (id: string): string => `access-key:${id}`;

/**
 * Access keys are HMAC keys, so they must stay retrievable (listKeys shows them); at rest they are
 * sealed under the data folder's key-encryption key, as token-signing keys are.
 */
export class ConfigurationStoreKeys {
  constructor(
    private readonly db: Store,
    private readonly sealing: KeySealing,
  ) {}

  private toKey(row: Selectable<ConfigurationStoreKeyTable>): AccessKey {
    return {
      id: row.id,
      name: row.name,
      value: this.sealing.open(row.secret, purposeOf(row.id)),
      readOnly: row.read_only === 1,
      lastModified: Number(row.last_modified),
    };
  }

  private sealedRow(id: string, secret: string) {
    return { id, secret: this.sealing.seal(secret, purposeOf(id)) };
  }

  /** The four keys of a new store, written in the store's own creation transaction. */
  async issue(trx: Transaction<Database>, storeNameLower: string): Promise<void> {
    const now = nowSeconds();
    await trx
      .insertInto('configuration_store_keys')
      .values(
        SLOTS.map((slot, index) => ({
          ...this.sealedRow(newCredentialId(), newSecret()),
          store_name_lower: storeNameLower,
          slot: index,
          name: slot.name,
          read_only: slot.readOnly ? 1 : 0,
          last_modified: now,
        })),
      )
      .execute();
  }

  /** Secrets an older release stored in clear are sealed now (at open). */
  async sealStoredSecrets(isSealed: (value: string) => boolean): Promise<number> {
    const rows = await this.db.selectFrom('configuration_store_keys').select(['id', 'secret']).execute();
    let sealed = 0;
    for (const row of rows) {
      if (isSealed(row.secret)) continue;
      await this.db
        .updateTable('configuration_store_keys')
        .set({ secret: this.sealing.seal(row.secret, purposeOf(row.id)) })
        .where('id', '=', row.id)
        .where('secret', '=', row.secret)
        .execute();
      sealed++;
    }
    return sealed;
  }

  async list(storeName: string): Promise<AccessKey[]> {
    const rows = await this.db
      .selectFrom('configuration_store_keys')
      .selectAll()
      .where('store_name_lower', '=', storeName.toLowerCase())
      .orderBy('slot')
      .execute();
    return rows.map((row) => this.toKey(row));
  }

  /** For the data plane's HMAC check: the key and the store it opens. */
  async findById(id: string): Promise<{ key: AccessKey; storeNameLower: string } | undefined> {
    const row = await this.db
      .selectFrom('configuration_store_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { key: this.toKey(row), storeNameLower: row.store_name_lower };
  }

  /** Replaces a key's id and secret in its slot; the old credential stops working at once. */
  async regenerate(storeName: string, id: string): Promise<AccessKey> {
    const storeNameLower = storeName.toLowerCase();
    const row = await this.db
      .selectFrom('configuration_store_keys')
      .selectAll()
      .where('store_name_lower', '=', storeNameLower)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row)
      throw new TesseraError('InvalidKeyId', `The key id '${id}' is not valid for this configuration store.`);
    const replacement = {
      ...row,
      ...this.sealedRow(newCredentialId(), newSecret()),
      last_modified: nowSeconds(),
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('configuration_store_keys').where('id', '=', row.id).execute();
      await trx.insertInto('configuration_store_keys').values(replacement).execute();
    });
    return this.toKey(replacement);
  }
}
