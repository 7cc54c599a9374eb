import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from 'kysely';
import type { Store } from '../../store/database.js';
import { sqlWrite } from '../../store/direct.js';
import type { DirectSql } from '../../store/direct.js';
import type { SignInLogTable } from '../../store/schema.js';

/** How the person proved who they are; the later flows add their own names. */
export type SignInFlow = 'password' | 'refresh_token' | 'authorization_code' | 'device_code' | 'on_behalf_of';

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

/** What a search of the log can test, by the record's own names. */
export type SignInField =
  | 'id'
  | 'atMs'
  | 'userId'
  | 'userPrincipalName'
  | 'userDisplayName'
  | 'appId'
  | 'appDisplayName'
  | 'resourceId'
  | 'resourceDisplayName'
  | 'ipAddress'
  | 'correlationId'
  | 'flow'
  | 'interactive'
  | 'errorCode';

/**
 * A condition on log records (Graph's `$filter` is translated into one). Strings compare without
 * regard to case, as the directory does; `ne` keeps records where the field is null.
 */
export type SignInCondition =
  | { all: SignInCondition[] }
  | { any: SignInCondition[] }
  | {
      field: SignInField;
      op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'startsWith';
      value: string | number | boolean | null;
    };

/** Where a page of a search ended: the next page starts after this record (newest first). */
export interface SignInCursor {
  atMs: number;
  id: string;
}

const COLUMNS = {
  id: 'id',
  atMs: 'at_ms',
  userId: 'user_id',
  userPrincipalName: 'user_principal_name',
  userDisplayName: 'user_display_name',
  appId: 'app_id',
  appDisplayName: 'app_display_name',
  resourceId: 'resource_id',
  resourceDisplayName: 'resource_display_name',
  ipAddress: 'ip_address',
  correlationId: 'correlation_id',
  flow: 'flow',
  interactive: 'is_interactive',
  errorCode: 'error_code',
} as const satisfies Record<SignInField, keyof SignInLogTable>;

type LogBuilder = ExpressionBuilder<{ sign_in_log: SignInLogTable }, 'sign_in_log'>;

const SQL_OPERATORS = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

function conditionSql(eb: LogBuilder, condition: SignInCondition): Expression<SqlBool> {
  if ('all' in condition) return eb.and(condition.all.map((c) => conditionSql(eb, c)));
  if ('any' in condition) return eb.or(condition.any.map((c) => conditionSql(eb, c)));
  const column = sql.ref(`sign_in_log.${COLUMNS[condition.field]}`);
  const { op } = condition;
  const value = typeof condition.value === 'boolean' ? Number(condition.value) : condition.value;
  if (value === null) {
    if (op === 'eq') return sql<SqlBool>`${column} is null`;
    if (op === 'ne') return sql<SqlBool>`${column} is not null`;
    return sql<SqlBool>`1 = 0`;
  }
  const text = typeof value === 'string';
  const left = text ? sql`lower(${column})` : column;
  const right = text ? value.toLowerCase() : value;
  if (op === 'startsWith') {
    const pattern = `${String(right).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return sql<SqlBool>`${left} like ${pattern} escape '\\'`;
  }
  const compared = sql<SqlBool>`${left} ${sql.raw(SQL_OPERATORS[op])} ${right}`;
  return op === 'ne' ? sql<SqlBool>`(${column} is null or ${compared})` : compared;
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

const INSERT = `insert into sign_in_log (id, tenant_id, at_ms, user_id, user_principal_name, user_display_name,
  app_id, app_display_name, resource_id, resource_display_name, ip_address, correlation_id, flow,
  is_interactive, error_code, failure_reason) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Writes one attempt within a caller's {@link sqlWrite} work (a refresh token's rotation). */
export async function writeSignInEvent(sql: DirectSql, event: SignInEvent): Promise<void> {
  await sql.run(
    INSERT,
    randomUUID(),
    event.tenantId,
    Date.now(),
    event.userId,
    event.userPrincipalName,
    event.userDisplayName,
    event.app?.appId ?? null,
    event.app?.displayName ?? null,
    event.resource?.appId ?? null,
    event.resource?.displayName ?? null,
    event.ipAddress,
    event.correlationId,
    event.flow,
    event.interactive ? 1 : 0,
    event.errorCode,
    event.failureReason,
  );
}

/** Every sign-in attempt, successful or not, of every flow: Entra's sign-in log. */
export class SignInLog {
  constructor(private readonly db: Store) {}

  async record(event: SignInEvent): Promise<void> {
    await sqlWrite(this.db, (sql) => writeSignInEvent(sql, event));
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

  /**
   * A tenant's records that meet the condition, newest first (ties in id order, descending),
   * `limit` of them after the cursor: keyset paging, so a page costs the same however deep it is
   * and records written meanwhile never shift one page's records onto the next.
   */
  async search(
    tenantId: string,
    condition: SignInCondition | undefined,
    page: { after?: SignInCursor; limit: number },
  ): Promise<SignInRecord[]> {
    let query = this.db.selectFrom('sign_in_log').selectAll().where('tenant_id', '=', tenantId);
    if (condition) query = query.where((eb) => conditionSql(eb, condition));
    const { after } = page;
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('at_ms', '<', after.atMs),
          eb.and([eb('at_ms', '=', after.atMs), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('at_ms', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
    return rows.map(toRecord);
  }
}
