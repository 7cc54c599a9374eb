import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { nowSeconds } from '../../clock.js';
import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
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

  /** The key that signs new tokens; created on first use. */
  async current(): Promise<SigningKey> {
    const now = nowSeconds();
    if (this.active && now - this.active.loadedAt < CACHE_SECONDS) return this.active.key;
    const row = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'private_key_pem'])
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (!row) {
      await this.rotate();
      return this.current();
    }
    const pem = this.sealing.open(row.private_key_pem, purposeOf(row.kid));
    const key = { kid: row.kid, privateKey: createPrivateKey(pem) };
    this.active = { key, loadedAt: now };
    return key;
  }

  /** A new key signs from now on; the previous one stays published until its tokens expire. */
  async rotate(): Promise<{ kid: string; retired: string[] }> {
    const cert = await createSelfSignedCertificate('Tessera token signing', { years: 5 });
    const kid = base64url(cert.thumbprintSha1Hex);
    const now = nowSeconds();
    const retired = await this.db.transaction().execute(async (trx) => {
      const previous = await trx
        .selectFrom('signing_keys')
        .select('kid')
        .where('retired_at', 'is', null)
        .execute();
      await trx
        .updateTable('signing_keys')
        .set({ retired_at: now })
        .where('retired_at', 'is', null)
        .execute();
      await trx
        .insertInto('signing_keys')
        .values({
          kid,
          private_key_pem: this.sealing.seal(cert.privateKeyPem, purposeOf(kid)),
          certificate_pem: cert.certPem,
          created_at: now,
          retired_at: null,
        })
        .execute();
      return previous.map((p) => p.kid);
    });
    this.active = undefined;
    return { kid, retired };
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
