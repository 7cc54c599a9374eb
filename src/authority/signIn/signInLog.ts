import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Kysely } from 'kysely';
import type { Store } from '../../store/database.js';
import type { Database, SignInLogTable } from '../../store/schema.js';

/** How the person proved who they are; the later flows add their own names. */
export type SignInFlow = 'password' | 'refresh_token' | 'authorization_code' | 'device_code';

export interface SignInEvent {
  tenantId: string;
  userId: string | null;
  /** What was typed, even when no such user exists. */
  userPrincipalName: string;
  userDisplayName: string | null;
  app: { appId: string; displayName: string } | null;
  resource: { appId: string; displayName: string } | null;
  ipAddress: string;
  correlationId: string;
  flow: SignInFlow;
  interactive: boolean;
  /** 0 for success, else the AADSTS code the client was given. */
  errorCode: number;
  failureReason: string | null;
}

export interface SignInRecord extends SignInEvent {
  id: string;
  atMs: number;
}

const toRecord = (row: Selectable<SignInLogTable>): SignInRecord => ({
  id: row.id,
  atMs: Number(row.at_ms),
  tenantId: row.tenant_id,
  userId: row.user_id,
  userPrincipalName: row.user_principal_name,
  userDisplayName: row.user_display_name,
  app: row.app_id === null ? null : { appId: row.app_id, displayName: row.app_display_name ?? '' },
  resource:
    row.resource_id === null
      ? null
      : { appId: row.resource_id, displayName: row.resource_display_name ?? '' },
  ipAddress: row.ip_address,
  correlationId: row.correlation_id,
  flow: row.flow as SignInFlow,
  interactive: row.is_interactive === 1,
  errorCode: Number(row.error_code),
  failureReason: row.failure_reason,
});

/** Every sign-in attempt, successful or not, of every flow: Entra's sign-in log. */
export class SignInLog {
  constructor(private readonly db: Store) {}

  /** `within` writes the row in a caller's transaction (a refresh token's rotation). */
  async record(event: SignInEvent, within: Kysely<Database> = this.db): Promise<void> {
    await within
      .insertInto('sign_in_log')
      .values({
        id: randomUUID(),
        tenant_id: event.tenantId,
        at_ms: Date.now(),
        user_id: event.userId,
        user_principal_name: event.userPrincipalName,
        user_display_name: event.userDisplayName,
        app_id: event.app?.appId ?? null,
        app_display_name: event.app?.displayName ?? null,
        resource_id: event.resource?.appId ?? null,
        resource_display_name: event.resource?.displayName ?? null,
        ip_address: event.ipAddress,
        correlation_id: event.correlationId,
        flow: event.flow,
        is_interactive: event.interactive ? 1 : 0,
        error_code: event.errorCode,
        failure_reason: event.failureReason,
      })
      .execute();
  }

  /**
   * Newest first. `userId` narrows to one user's attempts; `userPrincipalName` to attempts made
   * with that name (case-insensitively), which also finds attempts at names nobody has.
   */
  async list(
    tenantId: string,
    options: { userId?: string; userPrincipalName?: string; top?: number } = {},
  ): Promise<SignInRecord[]> {
    let query = this.db.selectFrom('sign_in_log').selectAll().where('tenant_id', '=', tenantId);
    if (options.userId !== undefined) query = query.where('user_id', '=', options.userId);
    if (options.userPrincipalName !== undefined) {
      query = query.where(sql`lower(user_principal_name)`, '=', options.userPrincipalName.toLowerCase());
    }
    const rows = await query
      .orderBy('at_ms', 'desc')
      .limit(options.top ?? 1000)
      .execute();
    return rows.map(toRecord);
  }
}
