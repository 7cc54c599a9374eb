import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { nowSeconds } from '../../clock.js';
import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import { sqlWrite } from '../../store/direct.js';
import type { DirectTransaction } from '../../store/direct.js';
import type { KeySealing } from '../../store/keyEncryption.js';
import { createSelfSignedCertificate } from '../../tls/clientCertificate.js';

/** Longest access-token life (90 min) plus the 5 minutes of clock skew resource servers allow. */
export const RETIRED_KEY_RETENTION_SECONDS = 95 * 60;
/** How long a process trusts its cached view of the key table; bounds how fast a rotation
 * done by another process (the CLI, another node) takes effect. */
const CACHE_SECONDS = 10;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface PublishedKey {
  kid: string;
  x5t: string;
  n: string;
  e: string;
  x5c: string;
  publicKey: KeyObject;
  retiredAt: number | null;
}

const base64url = (hex: string): string => Buffer.from(hex, 'hex').toString('base64url');

const purposeOf = (kid: string): string => `signing-key:${kid}`;

export class SigningKeys {
  private active?: { key: SigningKey; loadedAt: number };
  /** The one read under way when the cache expired: requests in flight then share it. */
  private loading?: Promise<SigningKey>;
  /** Moves on this process's rotations, so a read begun before one cannot install the old key. */
  private generation = 0;

  constructor(
    private readonly db: Store,
    private readonly sealing: KeySealing,
  ) {}

  /** Keys written before sealing existed are sealed now (at open, by every release from this one). */
  async sealStoredKeys(isSealed: (value: string) => boolean): Promise<number> {
    const rows = await this.db.selectFrom('signing_keys').select(['kid', 'private_key_pem']).execute();
    let sealed = 0;
    for (const row of rows) {
      if (isSealed(row.private_key_pem)) continue;
      await this.db
        .updateTable('signing_keys')
        .set({ private_key_pem: this.sealing.seal(row.private_key_pem, purposeOf(row.kid)) })
        .where('kid', '=', row.kid)
        .where('private_key_pem', '=', row.private_key_pem)
        .execute();
      sealed++;
    }
    return sealed;
  }

  /**
   * The key that signs new tokens; created on first use. Of two active keys (a store written by
   * nodes that rotated at once before rotations were serialised) every node picks the same one:
   * the newest, then the greatest kid.
   */
  current(): Promise<SigningKey> {
    if (this.active && nowSeconds() - this.active.loadedAt < CACHE_SECONDS)
      return Promise.resolve(this.active.key);
    if (!this.loading) {
      const loading = this.load().finally(() => {
        if (this.loading === loading) this.loading = undefined;
      });
      this.loading = loading;
    }
    return this.loading;
  }

  private async load(): Promise<SigningKey> {
    const now = nowSeconds();
    const generation = this.generation;
    const row = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'private_key_pem'])
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .executeTakeFirst();
    if (!row) {
      await this.create({ unlessActive: true });
      return this.load();
    }
    // The same key as before (no rotation in the window): no unsealing, no key object to build.
    const same = this.active?.key.kid === row.kid ? this.active.key : undefined;
    const key = same ?? {
      kid: row.kid,
      privateKey: createPrivateKey(this.sealing.open(row.private_key_pem, purposeOf(row.kid))),
    };
    if (generation === this.generation) this.active = { key, loadedAt: now };
    return key;
  }

  /**
   * Opens the newest stored key, so that a process whose key-encryption key is not the one the
   * store was sealed with is told at start-up rather than at its first token. Resolves when there
   * is nothing to open yet.
   */
  async verifySealing(): Promise<void> {
    const row = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'private_key_pem'])
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .executeTakeFirst();
    if (row) this.sealing.open(row.private_key_pem, purposeOf(row.kid));
  }

  /** A new key signs from now on; the previous one stays published until its tokens expire. */
  async rotate(): Promise<{ kid: string; retired: string[] }> {
    const created = await this.create({ unlessActive: false });
    if (!created) throw new Error('a signing key rotation created no key');
    return created;
  }

  /**
   * Retires the active key(s) and stores a new one, as one write that locks the key table across
   * processes: two nodes rotating (or creating the first key) at once never leave two active keys,
   * and of two first-key creations the second finds the first's key and creates nothing.
   */
  private async create(options: {
    unlessActive: boolean;
  }): Promise<{ kid: string; retired: string[] } | undefined> {
    // Made before the write: generating a key takes tens of milliseconds, the lock must not.
    const cert = await createSelfSignedCertificate('Tessera token signing', { years: 5 });
    const kid = base64url(cert.thumbprintSha1Hex);
    const now = nowSeconds();
    const sealed = this.sealing.seal(cert.privateKeyPem, purposeOf(kid));
    const created = await sqlWrite(this.db, async (sql) => {
      await sql.lock('signing-keys');
      if (options.unlessActive && (await activeKid(sql))) return undefined;
      const retired: string[] = [];
      for (let previous = await activeKid(sql); previous; previous = await activeKid(sql)) {
        await sql.run('update signing_keys set retired_at = ? where kid = ?', now, previous);
        retired.push(previous);
      }
      await sql.run(
        'insert into signing_keys (kid, private_key_pem, certificate_pem, created_at, retired_at) values (?, ?, ?, ?, null)',
        kid,
        sealed,
        cert.certPem,
        now,
      );
      return { kid, retired };
    });
    this.active = undefined;
    this.loading = undefined;
    this.generation += 1;
    return created;
  }

  /** Keys a verifier may meet: the active one and those retired less than a token lifetime ago. */
  async published(): Promise<PublishedKey[]> {
    const cutoff = nowSeconds() - RETIRED_KEY_RETENTION_SECONDS;
    const rows = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'certificate_pem', 'retired_at'])
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', cutoff)]))
      // The active key first even when a rotation shares its second with the key it retired.
      .orderBy(sql`case when retired_at is null then 0 else 1 end`)
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
    return rows.map((row) => {
      const cert = new X509Certificate(row.certificate_pem);
      const publicKey = createPublicKey(row.certificate_pem);
      const jwk = publicKey.export({ format: 'jwk' });
      return {
        kid: row.kid,
        x5t: base64url(cert.fingerprint.replaceAll(':', '')),
        n: jwk.n ?? '',
        e: jwk.e ?? '',
        x5c: cert.raw.toString('base64'),
        publicKey,
        retiredAt: row.retired_at === null ? null : Number(row.retired_at),
      };
    });
  }
}

const activeKid = async (sql: DirectTransaction): Promise<string | undefined> =>
  (await sql.get<{ kid: string }>('select kid from signing_keys where retired_at is null limit 1'))?.kid;
