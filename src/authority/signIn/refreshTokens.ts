import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Store } from '../../store/database.js';
import type { Database } from '../../store/schema.js';

const DAY = 24 * 3600;
/** Absolute life of a sign-in's refresh tokens: Entra's 90 days, counted from the sign-in. */
export const REFRESH_TOKEN_MAX_AGE_SECONDS = 90 * DAY;
/** A refresh token not redeemed within this dies (Entra's former MaxInactiveTime default). */
export const REFRESH_TOKEN_INACTIVITY_SECONDS = 14 * DAY;

/** 256 random bits, base64url: nothing in it to parse, so nothing to forge. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface RefreshFamily {
  id: string;
  tenantId: string;
  userId: string;
  clientId: string;
  authTime: number;
  expiresAt: number;
  credentialVersion: number;
  amr: string[];
  revokedAt: number | null;
}

export interface PresentedRefreshToken {
  hash: string;
  family: RefreshFamily;
  /** The scope string it was issued for. */
  scope: string;
  issuedAt: number;
  usedAt: number | null;
}

export interface NewFamily {
  tenantId: string;
  userId: string;
  clientId: string;
  authTime: number;
  credentialVersion: number;
  amr: string[];
  scope: string;
  now: number;
  /** Chosen by a caller that must name the family before it exists (an authorization code). */
  id?: string;
  /** The browser session of an interactive sign-in: logging out of it revokes the family. */
  sessionId?: string | null;
}

/**
 * Opaque refresh tokens, stored as SHA-256 hashes. Each sign-in starts a family; every
 * redemption consumes the presented token (single use, enforced by a conditional UPDATE, so it
 * holds across nodes) and issues its successor in the same family. Presenting a consumed token
 * means it was copied: the whole family is revoked, the newest token included.
 */
export class RefreshTokens {
  constructor(private readonly db: Store) {}

  /**
   * `within` writes the family in a caller's transaction, so that consuming a one-time grant (an
   * authorization or device code) and starting its family commit together or not at all.
   */
  async startFamily(input: NewFamily, within?: Kysely<Database>): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const familyId = input.id ?? randomUUID();
    const write = async (trx: Kysely<Database>) => {
      await trx
        .insertInto('refresh_token_families')
        .values({
          id: familyId,
          tenant_id: input.tenantId,
          user_id: input.userId,
          client_id: input.clientId,
          auth_time: input.authTime,
          expires_at: input.authTime + REFRESH_TOKEN_MAX_AGE_SECONDS,
          credential_version: input.credentialVersion,
          amr: input.amr.join(' '),
          revoked_at: null,
          revoked_reason: null,
          session_id: input.sessionId ?? null,
        })
        .execute();
      await trx
        .insertInto('refresh_tokens')
        .values({
          token_hash: hashToken(token),
          family_id: familyId,
          scope: input.scope,
          issued_at: input.now,
          used_at: null,
        })
        .execute();
    };
    if (within) await write(within);
    else await this.db.transaction().execute(write);
    return token;
  }

  async find(token: string): Promise<PresentedRefreshToken | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const hash = hashToken(token);
    const row = await this.db
      .selectFrom('refresh_tokens as t')
      .innerJoin('refresh_token_families as f', 'f.id', 't.family_id')
      .select([
        't.scope',
        't.issued_at',
        't.used_at',
        'f.id',
        'f.tenant_id',
        'f.user_id',
        'f.client_id',
        'f.auth_time',
        'f.expires_at',
        'f.credential_version',
        'f.amr',
        'f.revoked_at',
      ])
      .where('t.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      hash,
      scope: row.scope,
      issuedAt: Number(row.issued_at),
      usedAt: row.used_at === null ? null : Number(row.used_at),
      family: {
        id: row.id,
        tenantId: row.tenant_id,
        userId: row.user_id,
        clientId: row.client_id,
        authTime: Number(row.auth_time),
        expiresAt: Number(row.expires_at),
        credentialVersion: Number(row.credential_version),
        amr: row.amr.split(' ').filter(Boolean),
        revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
      },
    };
  }

  /**
   * Consumes `current` and returns its successor, or `reused` when another redemption got there
   * first (the family is then revoked). `alsoWrite` adds the caller's rows (the sign-in log) to
   * the same transaction, so a refresh costs one commit. The family's own state is checked at
   * every redemption, so a successor written just after a concurrent revocation is dead at birth.
   */
  async rotate(
    current: PresentedRefreshToken,
    scope: string,
    now: number,
    alsoWrite?: (trx: Kysely<Database>) => Promise<void>,
  ): Promise<{ token: string } | { refused: 'reused' }> {
    const token = randomBytes(32).toString('base64url');
    const consumed = await this.db.transaction().execute(async (trx) => {
      // The write comes first, so the transaction holds the write lock from its first statement.
      const result = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('token_hash', '=', current.hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await trx
        .insertInto('refresh_tokens')
        .values({
          token_hash: hashToken(token),
          family_id: current.family.id,
          scope,
          issued_at: now,
          used_at: null,
        })
        .execute();
      await alsoWrite?.(trx);
      return true;
    });
    if (consumed) return { token };
    await this.revokeFamily(current.family.id, 'reused', now);
    return { refused: 'reused' };
  }

  async revokeFamily(familyId: string, reason: string, now: number): Promise<void> {
    await this.db
      .updateTable('refresh_token_families')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
