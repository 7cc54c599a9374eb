import { createHash, randomUUID } from 'node:crypto';
import { randomBytesPooled } from '../tokens/random.js';
import type { Kysely } from 'kysely';
import type { Store } from '../../store/database.js';
import { sqlRead, sqlWrite } from '../../store/direct.js';
import type { DirectSql } from '../../store/direct.js';
import type { Database, RefreshTokenFamilyTable } from '../../store/schema.js';

/** Writes a new refresh-token family inside the caller's transaction: its id and first token. */
export type FamilyStarter = (within: Kysely<Database>) => Promise<{ familyId: string; token: string }>;

const DAY = 24 * 3600;
/** Absolute life of a sign-in's refresh tokens: Entra's 90 days, counted from the sign-in. */
export const REFRESH_TOKEN_MAX_AGE_SECONDS = 90 * DAY;
/** A refresh token not redeemed within this dies (Entra's former MaxInactiveTime default). */
export const REFRESH_TOKEN_INACTIVITY_SECONDS = 14 * DAY;
/**
 * Absolute life of a single-page application's refresh tokens: Entra's 24 hours from the code's
 * redemption, not sliding; every rotation carries the family's expiry over.
 */
export const SPA_REFRESH_TOKEN_MAX_AGE_SECONDS = DAY;

/**
 * A token is its family's id (16 bytes), its generation (4 bytes, big-endian) and 256 random
 * bits, base64url. Only the secret makes it redeemable; the other two say where to look and
 * whether a token that is not the live one is an earlier (so copied) one.
 */
const FAMILY_BYTES = 16;
const GENERATION_BYTES = 4;
const SECRET_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{70}$/;
/** Tokens issued before migration 0008: 256 random bits, found through `refresh_tokens`. */
const LEGACY_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

function encodeToken(familyId: string, generation: number): string {
  const bytes = Buffer.allocUnsafe(FAMILY_BYTES + GENERATION_BYTES + SECRET_BYTES);
  bytes.write(familyId.replaceAll('-', ''), 0, FAMILY_BYTES, 'hex');
  bytes.writeUInt32BE(generation, FAMILY_BYTES);
  randomBytesPooled(SECRET_BYTES).copy(bytes, FAMILY_BYTES + GENERATION_BYTES);
  return bytes.toString('base64url');
}

function decodeToken(token: string): { familyId: string; generation: number } {
  const bytes = Buffer.from(token, 'base64url');
  const hex = bytes.toString('hex', 0, FAMILY_BYTES);
  const familyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { familyId, generation: bytes.readUInt32BE(FAMILY_BYTES) };
}

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
  generation: number;
  /** The browser origin a SPA sign-in was redeemed from: only it may redeem the family's tokens. */
  spaOrigin: string | null;
}

export interface PresentedRefreshToken {
  family: RefreshFamily;
  /**
   * False for a token of an earlier generation: it was redeemed once already, so whoever
   * presents it now holds a copy.
   */
  live: boolean;
  hash: string;
  /** The live token's scope string and issue time. */
  scope: string;
  issuedAt: number;
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
  /** Set when the sign-in was redeemed cross-origin for a SPA redirect URI (that URI's origin). */
  spaOrigin?: string | null;
}

/** The columns `SELECT_FAMILY` reads. */
type FamilyRow = Omit<RefreshTokenFamilyTable, 'revoked_reason' | 'session_id'>;

const SELECT_FAMILY = `select id, tenant_id, user_id, client_id, auth_time, expires_at, credential_version, amr,
  revoked_at, token_hash, generation, scope, issued_at, spa_origin from refresh_token_families where id = ?`;
// A Record must name every column: a migration that adds one fails to compile here until it is listed.
const FAMILY_COLUMNS = Object.keys({
  id: true,
  tenant_id: true,
  user_id: true,
  client_id: true,
  auth_time: true,
  expires_at: true,
  credential_version: true,
  amr: true,
  revoked_at: true,
  revoked_reason: true,
  session_id: true,
  token_hash: true,
  generation: true,
  scope: true,
  issued_at: true,
  spa_origin: true,
} satisfies Record<keyof RefreshTokenFamilyTable, true>) as Array<keyof RefreshTokenFamilyTable>;
const INSERT_FAMILY = `insert into refresh_token_families (${FAMILY_COLUMNS.join(', ')})
  values (${FAMILY_COLUMNS.map(() => '?').join(', ')})`;
const SELECT_LEGACY = 'select family_id from refresh_tokens where token_hash = ?';
// Conditional on the live hash and the family's state, so of two redemptions of one token only
// one succeeds, across nodes too, and a revoked family never gets a successor.
const ROTATE = `update refresh_token_families set token_hash = ?, generation = ?, scope = ?, issued_at = ?
  where id = ? and token_hash = ? and revoked_at is null`;

/**
 * Opaque refresh tokens, one family per sign-in, and each family holds the SHA-256 of its one
 * live token. A redemption replaces that hash with its successor's in a single conditional
 * UPDATE (single use, across nodes too); presenting an earlier generation means the token was
 * copied, and the whole family is revoked, the live token included.
 */
export class RefreshTokens {
  constructor(private readonly db: Store) {}

  /**
   * `within` writes the family in a caller's transaction, so that consuming a one-time grant (an
   * authorization or device code) and starting its family commit together or not at all.
   */
  async startFamily(input: NewFamily, within?: Kysely<Database>): Promise<string> {
    const familyId = input.id ?? randomUUID();
    const token = encodeToken(familyId, 0);
    const row: RefreshTokenFamilyTable = {
      id: familyId,
      tenant_id: input.tenantId,
      user_id: input.userId,
      client_id: input.clientId,
      auth_time: input.authTime,
      expires_at: input.spaOrigin
        ? input.now + SPA_REFRESH_TOKEN_MAX_AGE_SECONDS
        : input.authTime + REFRESH_TOKEN_MAX_AGE_SECONDS,
      credential_version: input.credentialVersion,
      amr: input.amr.join(' '),
      revoked_at: null,
      revoked_reason: null,
      session_id: input.sessionId ?? null,
      token_hash: hashToken(token),
      generation: 0,
      scope: input.scope,
      issued_at: input.now,
      spa_origin: input.spaOrigin ?? null,
    };
    if (within) await within.insertInto('refresh_token_families').values(row).execute();
    // A password sign-in's family: group-committed with the other writes of this turn (its
    // sign-in log row among them) rather than a commit of its own.
    else await sqlWrite(this.db, (sql) => sql.run(INSERT_FAMILY, ...FAMILY_COLUMNS.map((c) => row[c])));
    return token;
  }

  async find(token: string): Promise<PresentedRefreshToken | undefined> {
    const current = TOKEN_SHAPE.test(token);
    if (!current && !LEGACY_SHAPE.test(token)) return undefined;
    const hash = hashToken(token);
    const found = await sqlRead(this.db, async (sql) => {
      if (current) {
        const { familyId, generation } = decodeToken(token);
        const row = await sql.get<FamilyRow>(SELECT_FAMILY, familyId);
        return row && { row, generation };
      }
      const legacy = await sql.get<{ family_id: string }>(SELECT_LEGACY, hash);
      const row = legacy && (await sql.get<FamilyRow>(SELECT_FAMILY, legacy.family_id));
      // Migration 0008 made each family's newest legacy token generation 1, so every other is 0.
      return row && { row, generation: row.token_hash === hash ? Number(row.generation) : 0 };
    });
    if (!found) return undefined;
    const { row } = found;
    const live = row.token_hash === hash;
    // Neither the live token nor an earlier one: a forgery that only guessed a family's id.
    if (!live && found.generation >= Number(row.generation)) return undefined;
    return {
      hash,
      live,
      scope: row.scope,
      issuedAt: Number(row.issued_at),
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
        generation: Number(row.generation),
        spaOrigin: row.spa_origin ?? null,
      },
    };
  }

  /**
   * Replaces the live token `current` with its successor and returns it, or `reused` when
   * another redemption (or a revocation) got there first; the family is then revoked.
   * `alsoWrite` adds the caller's rows (the sign-in log) to the same transaction, so a refresh
   * costs one commit.
   */
  async rotate(
    current: PresentedRefreshToken,
    scope: string,
    now: number,
    alsoWrite?: (sql: DirectSql) => Promise<void>,
  ): Promise<{ token: string } | { refused: 'reused' }> {
    const { family } = current;
    const generation = family.generation + 1;
    const token = encodeToken(family.id, generation);
    const rotated = await sqlWrite(this.db, async (sql) => {
      const changed = await sql.run(
        ROTATE,
        hashToken(token),
        generation,
        scope,
        now,
        family.id,
        current.hash,
      );
      if (changed === 0) return false;
      await alsoWrite?.(sql);
      return true;
    });
    if (rotated) return { token };
    await this.revokeFamily(family.id, 'reused', now);
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
