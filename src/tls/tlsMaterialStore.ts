import { nowSeconds } from '../clock.js';
import type { Store } from '../store/database.js';
import type { KeySealing } from '../store/keyEncryption.js';
import type { SharedTlsName, SharedTlsStore, TlsPair } from './sharedTls.js';

/** Migration 0018 (PostgreSQL only). */
interface SharedTlsTable {
  name: string;
  certificate_pem: string;
  private_key_pem: string;
  updated_at: number;
}

const purposeOf = (name: SharedTlsName): string => `tls-key:${name}`;

/** The shared TLS material in the store's `shared_tls` table, private keys sealed. */
export class TlsMaterialStore implements SharedTlsStore {
  private readonly db;

  constructor(
    db: Store,
    private readonly sealing: KeySealing,
  ) {
    this.db = db.withTables<{ shared_tls: SharedTlsTable }>();
  }

  async read(name: SharedTlsName): Promise<TlsPair | undefined> {
    const row = await this.db
      .selectFrom('shared_tls')
      .select(['certificate_pem', 'private_key_pem'])
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) return undefined;
    return { certPem: row.certificate_pem, keyPem: this.sealing.open(row.private_key_pem, purposeOf(name)) };
  }

  async write(name: SharedTlsName, pair: TlsPair): Promise<void> {
    const values = {
      certificate_pem: pair.certPem,
      private_key_pem: this.sealing.seal(pair.keyPem, purposeOf(name)),
      updated_at: nowSeconds(),
    };
    await this.db
      .insertInto('shared_tls')
      .values({ name, ...values })
      .onConflict((oc) => oc.column('name').doUpdateSet(values))
      .execute();
  }
}
