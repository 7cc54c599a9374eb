import type { Store } from '../../store/database.js';
import type { FamilyStarter } from '../signIn/refreshTokens.js';
import { hashOpaque, isOpaqueToken, newOpaqueToken } from '../interaction/opaque.js';

/** RFC 6749 §4.1.2 recommends at most 10 minutes; Entra's codes live about that long. */
export const AUTHORIZATION_CODE_LIFETIME_SECONDS = 10 * 60;
/** Redeemed and expired codes are kept this long so that a replay is still recognised. */
const KEPT_AFTER_EXPIRY_SECONDS = 24 * 3600;

export interface NewAuthorizationCode {
  tenantId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  scope: string;
  nonce: string | null;
  userId: string;
  sessionId: string | null;
  authTime: number;
  amr: string[];
  now: number;
}

export interface StoredAuthorizationCode extends Omit<NewAuthorizationCode, 'now'> {
  hash: string;
  expiresAt: number;
  redeemedAt: number | null;
  /** The refresh-token family the redemption started: what a replay revokes. */
  familyId: string | null;
}

/**
 * Authorization codes: opaque, stored as SHA-256, bound to everything the token request must
 * repeat (client, redirect URI, PKCE challenge) and to the sign-in (user, session, nonce).
 */
export class AuthorizationCodes {
  constructor(private readonly db: Store) {}

  async issue(input: NewAuthorizationCode): Promise<string> {
    const code = newOpaqueToken();
    await this.db
      .deleteFrom('authorization_codes')
      .where('expires_at', '<', input.now - KEPT_AFTER_EXPIRY_SECONDS)
      .execute();
    await this.db
      .insertInto('authorization_codes')
      .values({
        code_hash: hashOpaque(code),
        tenant_id: input.tenantId,
        client_id: input.clientId,
        redirect_uri: input.redirectUri,
        code_challenge: input.codeChallenge,
        scope: input.scope,
        nonce: input.nonce,
        user_id: input.userId,
        session_id: input.sessionId,
        auth_time: input.authTime,
        amr: input.amr.join(' '),
        expires_at: input.now + AUTHORIZATION_CODE_LIFETIME_SECONDS,
        redeemed_at: null,
        family_id: null,
      })
      .execute();
    return code;
  }

  async find(code: string): Promise<StoredAuthorizationCode | undefined> {
    if (!isOpaqueToken(code)) return undefined;
    const row = await this.db
      .selectFrom('authorization_codes')
      .selectAll()
      .where('code_hash', '=', hashOpaque(code))
      .executeTakeFirst();
    return (
      row && {
        hash: row.code_hash,
        tenantId: row.tenant_id,
        clientId: row.client_id,
        redirectUri: row.redirect_uri,
        codeChallenge: row.code_challenge,
        scope: row.scope,
        nonce: row.nonce,
        userId: row.user_id,
        sessionId: row.session_id,
        authTime: Number(row.auth_time),
        amr: row.amr.split(' ').filter(Boolean),
        expiresAt: Number(row.expires_at),
        redeemedAt: row.redeemed_at === null ? null : Number(row.redeemed_at),
        familyId: row.family_id,
      }
    );
  }

  /**
   * Consumes the code — `UPDATE … WHERE redeemed_at IS NULL`, single use across nodes — and, in
   * the same transaction, starts the refresh-token family, whose id the row keeps for a replay
   * to revoke. `consumed: false` when another redemption got there first.
   */
  async redeem(
    code: StoredAuthorizationCode,
    now: number,
    startFamily: FamilyStarter | undefined,
  ): Promise<{ consumed: false } | { consumed: true; refreshToken: string | undefined }> {
    return this.db.transaction().execute(async (trx) => {
      // The write comes first, so the transaction holds the write lock from its first statement.
      const result = await trx
        .updateTable('authorization_codes')
        .set({ redeemed_at: now })
        .where('code_hash', '=', code.hash)
        .where('redeemed_at', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return { consumed: false };
      if (!startFamily) return { consumed: true, refreshToken: undefined };
      const family = await startFamily(trx);
      await trx
        .updateTable('authorization_codes')
        .set({ family_id: family.familyId })
        .where('code_hash', '=', code.hash)
        .execute();
      return { consumed: true, refreshToken: family.token };
    });
  }

  /** The family a redemption started (read after a lost race, when the caller's copy is stale). */
  async familyOf(code: StoredAuthorizationCode): Promise<string | null> {
    const row = await this.db
      .selectFrom('authorization_codes')
      .select('family_id')
      .where('code_hash', '=', code.hash)
      .executeTakeFirst();
    return row?.family_id ?? null;
  }
}
