import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowSeconds } from '../clock.js';
import { TesseraError } from '../errors.js';
import { recordChange } from '../store/changes.js';
import type { Store } from '../store/database.js';
import type { ReadCache } from '../store/readCache.js';
import type { KeyCredentialTable, PasswordCredentialTable } from '../store/schema.js';
import type { Application, KeyCredential, PasswordCredential } from './model.js';

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-';
const YEAR = 365 * 24 * 3600;

/**
 * 40 characters in Entra's shape (three-character hint, `8Q~`, then 34 random characters):
 * about 200 bits of entropy, so a single SHA-256 is a sufficient stored form.
 */
export function generateClientSecret(): string {
  return `${randomChars(3)}8Q~${randomChars(34)}`;
}

// Rejection sampling keeps every character equally likely (256 is not a multiple of 66).
function randomChars(count: number): string {
  const limit = 256 - (256 % SECRET_ALPHABET.length);
  let out = '';
  while (out.length < count) {
    for (const byte of randomBytes(count * 2)) {
      if (byte < limit && out.length < count) out += SECRET_ALPHABET[byte % SECRET_ALPHABET.length];
    }
  }
  return out;
}

const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

const toPassword = (row: Selectable<PasswordCredentialTable>): PasswordCredential => ({
  keyId: row.key_id,
  displayName: row.display_name,
  hint: row.hint,
  startAt: Number(row.start_at),
  endAt: Number(row.end_at),
});

const toKey = (row: Selectable<KeyCredentialTable>): KeyCredential => ({
  keyId: row.key_id,
  displayName: row.display_name,
  thumbprintSha1: row.thumbprint_sha1,
  thumbprintSha256: row.thumbprint_sha256,
  certificatePem: row.certificate_pem,
  startAt: Number(row.start_at),
  endAt: Number(row.end_at),
});

export type SecretCheck = 'valid' | 'expired' | 'invalid';

export interface PasswordOptions {
  displayName?: string;
  /** Seconds since the epoch; defaults to now + `years`. */
  endAt?: number;
  years?: number;
  /** Keep existing secrets (az's `--append`); otherwise they are replaced. */
  append?: boolean;
}

export interface CertificateInput {
  certificatePem: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
  startAt: number;
  endAt: number;
  displayName?: string;
  append?: boolean;
}

export class Credentials {
  constructor(
    private readonly db: Store,
    private readonly reads: ReadCache,
  ) {}

  /** Returns the secret text: it is shown once and only its hash is kept. */
  async addPassword(
    app: Application,
    options: PasswordOptions = {},
  ): Promise<{ secretText: string; credential: PasswordCredential }> {
    const now = nowSeconds();
    const endAt = options.endAt ?? now + Math.round((options.years ?? 1) * YEAR);
    if (endAt <= now) throw new TesseraError('InvalidEndDate', 'The secret end date must be in the future.');
    const secretText = generateClientSecret();
    const row = {
      key_id: randomUUID(),
      application_object_id: app.objectId,
      display_name: options.displayName ?? null,
      hint: secretText.slice(0, 3),
      secret_hash: hashSecret(secretText).toString('hex'),
      start_at: now,
      end_at: endAt,
    };
    await recordChange(this.db, 'directory', async (trx) => {
      if (!options.append) {
        await trx
          .deleteFrom('password_credentials')
          .where('application_object_id', '=', app.objectId)
          .execute();
      }
      await trx.insertInto('password_credentials').values(row).execute();
    });
    return { secretText, credential: toPassword(row) };
  }

  async addCertificate(app: Application, input: CertificateInput): Promise<KeyCredential> {
    const row = {
      key_id: randomUUID(),
      application_object_id: app.objectId,
      display_name: input.displayName ?? null,
      thumbprint_sha1: input.thumbprintSha1.toUpperCase(),
      thumbprint_sha256: input.thumbprintSha256.toUpperCase(),
      certificate_pem: input.certificatePem,
      start_at: input.startAt,
      end_at: input.endAt,
    };
    await recordChange(this.db, 'directory', async (trx) => {
      if (!input.append) {
        await trx.deleteFrom('key_credentials').where('application_object_id', '=', app.objectId).execute();
      }
      await trx.insertInto('key_credentials').values(row).execute();
    });
    return toKey(row);
  }

  /**
   * Makes the application's certificates exactly those of `keep` (by key id, unchanged) and `add`,
   * in one transaction: Microsoft Graph's PATCH of keyCredentials replaces the whole collection.
   */
  async replaceCertificates(
    app: Application,
    keep: readonly string[],
    add: readonly CertificateInput[],
  ): Promise<KeyCredential[]> {
    const rows = add.map((input) => ({
      key_id: randomUUID(),
      application_object_id: app.objectId,
      display_name: input.displayName ?? null,
      thumbprint_sha1: input.thumbprintSha1.toUpperCase(),
      thumbprint_sha256: input.thumbprintSha256.toUpperCase(),
      certificate_pem: input.certificatePem,
      start_at: input.startAt,
      end_at: input.endAt,
    }));
    await recordChange(this.db, 'directory', async (trx) => {
      let removed = trx.deleteFrom('key_credentials').where('application_object_id', '=', app.objectId);
      if (keep.length > 0) removed = removed.where('key_id', 'not in', [...keep]);
      await removed.execute();
      if (rows.length > 0) await trx.insertInto('key_credentials').values(rows).execute();
    });
    return this.certificates(app.objectId);
  }

  async passwords(applicationObjectId: string): Promise<PasswordCredential[]> {
    const rows = await this.db
      .selectFrom('password_credentials')
      .selectAll()
      .where('application_object_id', '=', applicationObjectId)
      .orderBy('start_at')
      .execute();
    return rows.map(toPassword);
  }

  async certificates(applicationObjectId: string): Promise<KeyCredential[]> {
    const rows = await this.db
      .selectFrom('key_credentials')
      .selectAll()
      .where('application_object_id', '=', applicationObjectId)
      .orderBy('start_at')
      .execute();
    return rows.map(toKey);
  }

  /**
   * Compares against every secret of the app in constant time per secret; `expired` only when
   * the secret matches one whose end date has passed, so no information leaks about others.
   */
  async checkSecret(applicationObjectId: string, secret: string): Promise<SecretCheck> {
    const rows = await this.reads.get(`secrets:${applicationObjectId}`, () =>
      this.db
        .selectFrom('password_credentials')
        .select(['secret_hash', 'start_at', 'end_at'])
        .where('application_object_id', '=', applicationObjectId)
        .execute(),
    );
    const presented = hashSecret(secret);
    const now = nowSeconds();
    let result: SecretCheck = 'invalid';
    for (const row of rows) {
      if (timingSafeEqual(presented, Buffer.from(row.secret_hash, 'hex'))) {
        result = Number(row.end_at) < now || Number(row.start_at) > now + 300 ? 'expired' : 'valid';
        if (result === 'valid') return result;
      }
    }
    return result;
  }

  async findCertificate(
    applicationObjectId: string,
    thumbprint: { sha1?: string; sha256?: string },
  ): Promise<KeyCredential | undefined> {
    let query = this.db
      .selectFrom('key_credentials')
      .selectAll()
      .where('application_object_id', '=', applicationObjectId);
    if (thumbprint.sha256) query = query.where('thumbprint_sha256', '=', thumbprint.sha256.toUpperCase());
    else if (thumbprint.sha1) query = query.where('thumbprint_sha1', '=', thumbprint.sha1.toUpperCase());
    else return undefined;
    const row = await query.executeTakeFirst();
    return row && toKey(row);
  }
}
