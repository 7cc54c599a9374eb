import type { Store } from '../../store/database.js';
import type { AuthorizationRequest } from '../authorize/authorizationRequest.js';
import { hashOpaque, isOpaqueToken, newOpaqueToken } from './opaque.js';

/** Time a person has between opening the page and finishing: then "start again". */
export const PENDING_SIGN_IN_LIFETIME_SECONDS = 20 * 60;

/** The device code being approved on the verification page. */
export interface DeviceVerification {
  deviceCodeHash: string;
  clientId: string;
  clientName: string;
  /** The tenant the device asked for, or null for /organizations and /common. */
  tenantId: string | null;
  tenantSegment: string;
  scope: string;
  expiresAt: number;
}

export type PendingRequest =
  { kind: 'authorize'; authorization: AuthorizationRequest } | { kind: 'device'; device: DeviceVerification };

/**
 * Where the person is: typing credentials, picking an account (prompt=select_account),
 * consenting (prompt=consent), or confirming a device sign-in.
 */
export type PendingStage = 'credentials' | 'account' | 'consent' | 'confirm';

/** Who proved themselves, once they have (password or SSO session). */
export interface SignedIn {
  userId: string;
  tenantId: string;
  sessionId: string;
  authTime: number;
  amr: string[];
  /** A password typed on this page (already in the sign-in log) or an SSO session (not yet). */
  via: 'password' | 'session';
}

export interface PendingSignIn {
  idHash: string;
  browserHash: string;
  stage: PendingStage;
  request: PendingRequest;
  signedIn: SignedIn | null;
  expiresAt: number;
  completedAt: number | null;
}

/**
 * Sign-ins waiting on a person at a page. The page carries the opaque id (the store keeps its
 * hash), and the row is bound to the browser it was served to. Completing one is a conditional
 * update, so a double-submitted form issues one code, not two.
 */
export class PendingSignIns {
  constructor(private readonly db: Store) {}

  async create(input: {
    browserHash: string;
    request: PendingRequest;
    stage: PendingStage;
    signedIn?: SignedIn | null;
    now: number;
  }): Promise<{ id: string; pending: PendingSignIn }> {
    const id = newOpaqueToken();
    const pending: PendingSignIn = {
      idHash: hashOpaque(id),
      browserHash: input.browserHash,
      stage: input.stage,
      request: input.request,
      signedIn: input.signedIn ?? null,
      expiresAt: input.now + PENDING_SIGN_IN_LIFETIME_SECONDS,
      completedAt: null,
    };
    await this.db.deleteFrom('pending_sign_ins').where('expires_at', '<', input.now).execute();
    await this.db
      .insertInto('pending_sign_ins')
      .values({
        id_hash: pending.idHash,
        browser_hash: pending.browserHash,
        kind: input.request.kind,
        stage: pending.stage,
        request: JSON.stringify(input.request),
        ...signedInColumns(pending.signedIn),
        expires_at: pending.expiresAt,
        completed_at: null,
      })
      .execute();
    return { id, pending };
  }

  async find(id: string): Promise<PendingSignIn | undefined> {
    if (!isOpaqueToken(id)) return undefined;
    const row = await this.db
      .selectFrom('pending_sign_ins')
      .selectAll()
      .where('id_hash', '=', hashOpaque(id))
      .executeTakeFirst();
    if (!row) return undefined;
    const signedIn: SignedIn | null =
      row.user_id !== null && row.tenant_id !== null && row.session_id !== null && row.auth_time !== null
        ? {
            userId: row.user_id,
            tenantId: row.tenant_id,
            sessionId: row.session_id,
            authTime: Number(row.auth_time),
            amr: (row.amr ?? '').split(' ').filter(Boolean),
            via: row.signed_in_by === 'password' ? 'password' : 'session',
          }
        : null;
    return {
      idHash: row.id_hash,
      browserHash: row.browser_hash,
      stage: row.stage as PendingStage,
      request: JSON.parse(row.request) as PendingRequest,
      signedIn,
      expiresAt: Number(row.expires_at),
      completedAt: row.completed_at === null ? null : Number(row.completed_at),
    };
  }

  /** Moves to the next question, remembering who signed in. */
  async advance(pending: PendingSignIn, stage: PendingStage, signedIn: SignedIn | null): Promise<void> {
    await this.db
      .updateTable('pending_sign_ins')
      .set({ stage, ...signedInColumns(signedIn) })
      .where('id_hash', '=', pending.idHash)
      .where('completed_at', 'is', null)
      .execute();
  }

  /** Marks it done; false when another request completed it first. */
  async complete(pending: PendingSignIn, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('pending_sign_ins')
      .set({ completed_at: now })
      .where('id_hash', '=', pending.idHash)
      .where('completed_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

const signedInColumns = (signedIn: SignedIn | null) => ({
  user_id: signedIn?.userId ?? null,
  tenant_id: signedIn?.tenantId ?? null,
  session_id: signedIn?.sessionId ?? null,
  auth_time: signedIn?.authTime ?? null,
  amr: signedIn ? signedIn.amr.join(' ') : null,
  signed_in_by: signedIn?.via ?? null,
});
