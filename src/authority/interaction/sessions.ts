import { randomUUID } from 'node:crypto';
import type { Store } from '../../store/database.js';
import { hashOpaque, isOpaqueToken, newOpaqueToken } from './opaque.js';

/**
 * How long a browser stays signed in to a tenant without typing the password again: Entra's
 * session without "Stay signed in?" lasts until the browser closes (the cookie has no Max-Age)
 * and at most a day, which the server enforces.
 */
export const SESSION_LIFETIME_SECONDS = 24 * 3600;

export interface SignInSession {
  id: string;
  tenantId: string;
  userId: string;
  authTime: number;
  amr: string[];
  credentialVersion: number;
  expiresAt: number;
}

/**
 * Browser sessions (the SSO cookie). The cookie holds an opaque token; the store keeps its hash
 * and which user signed in when. Ending a session revokes the refresh tokens its sign-ins
 * started, which is what logging out promises.
 */
export class SignInSessions {
  constructor(private readonly db: Store) {}

  async start(input: {
    tenantId: string;
    userId: string;
    authTime: number;
    amr: string[];
    credentialVersion: number;
  }): Promise<{ session: SignInSession; token: string }> {
    const token = newOpaqueToken();
    const session: SignInSession = {
      id: randomUUID(),
      ...input,
      expiresAt: input.authTime + SESSION_LIFETIME_SECONDS,
    };
    await this.db
      .deleteFrom('sign_in_sessions')
      .where('expires_at', '<', input.authTime - SESSION_LIFETIME_SECONDS)
      .execute();
    await this.db
      .insertInto('sign_in_sessions')
      .values({
        id: session.id,
        token_hash: hashOpaque(token),
        tenant_id: session.tenantId,
        user_id: session.userId,
        auth_time: session.authTime,
        amr: session.amr.join(' '),
        credential_version: session.credentialVersion,
        expires_at: session.expiresAt,
        ended_at: null,
      })
      .execute();
    return { session, token };
  }

  /**
   * A fresh password sign-in by the session's own user (prompt=login): same session, so the
   * refresh tokens of both sign-ins end together at logout; new token, new authentication time.
   */
  async renew(session: SignInSession, input: { authTime: number; amr: string[]; credentialVersion: number }) {
    const token = newOpaqueToken();
    const renewed: SignInSession = {
      ...session,
      ...input,
      expiresAt: input.authTime + SESSION_LIFETIME_SECONDS,
    };
    await this.db
      .updateTable('sign_in_sessions')
      .set({
        token_hash: hashOpaque(token),
        auth_time: renewed.authTime,
        amr: renewed.amr.join(' '),
        credential_version: renewed.credentialVersion,
        expires_at: renewed.expiresAt,
      })
      .where('id', '=', session.id)
      .execute();
    return { session: renewed, token };
  }

  /** The live session of `tenantId` the cookie value names, if any. */
  async find(token: string, tenantId: string, now: number): Promise<SignInSession | undefined> {
    if (!isOpaqueToken(token)) return undefined;
    const row = await this.db
      .selectFrom('sign_in_sessions')
      .selectAll()
      .where('token_hash', '=', hashOpaque(token))
      .executeTakeFirst();
    if (!row || row.tenant_id !== tenantId || row.ended_at !== null) return undefined;
    if (Number(row.expires_at) <= now) return undefined;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      userId: row.user_id,
      authTime: Number(row.auth_time),
      amr: row.amr.split(' ').filter(Boolean),
      credentialVersion: Number(row.credential_version),
      expiresAt: Number(row.expires_at),
    };
  }

  /** Ends the session and revokes every refresh-token family started through it. */
  async end(sessionId: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sign_in_sessions')
        .set({ ended_at: now })
        .where('id', '=', sessionId)
        .where('ended_at', 'is', null)
        .execute();
      await trx
        .updateTable('refresh_token_families')
        .set({ revoked_at: now, revoked_reason: 'signed_out' })
        .where('session_id', '=', sessionId)
        .where('revoked_at', 'is', null)
        .execute();
    });
  }
}
