import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Store } from '../../store/database.js';
import { sqlRead } from '../../store/direct.js';
import type { Database, SignInLockoutTable } from '../../store/schema.js';
import type { AuthoritySecrets } from './secrets.js';

const SELECT_STATE = 'select failed_count, lockouts, locked_until from sign_in_lockouts where user_id = ?';

/** Entra's smart lockout defaults for commercial tenants. */
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_SECONDS = 60;
/** Each further lockout before a successful sign-in doubles the wait, up to this. */
const MAX_LOCKOUT_SECONDS = 30 * 60;
/** Wrong passwords remembered, so that repeating one does not count again. */
const REMEMBERED_FAILURES = LOCKOUT_THRESHOLD;

export interface LockoutState {
  failedCount: number;
  lockouts: number;
  lockedUntil: number;
}

/**
 * Smart lockout, kept in the store so every node sees the same count. Wrong passwords are
 * remembered only as HMACs under a server key, so the table never holds anything that would
 * help guess a password, and a typo retyped by a person (or a stale password replayed by a
 * script) counts once.
 */
export class SmartLockout {
  constructor(
    private readonly db: Store,
    private readonly secrets: AuthoritySecrets,
  ) {}

  /** When the account's current lockout ends, or undefined when it is not locked. */
  async lockedUntil(userId: string, now: number): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('sign_in_lockouts')
      .select('locked_until')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const until = row && Number(row.locked_until);
    return until !== undefined && until > now ? until : undefined;
  }

  /** Read on every password sign-in, so through direct SQL rather than Kysely. */
  async state(userId: string): Promise<LockoutState | undefined> {
    const row = await sqlRead(this.db, (sql) =>
      sql.get<Pick<SignInLockoutTable, 'failed_count' | 'lockouts' | 'locked_until'>>(SELECT_STATE, userId),
    );
    return (
      row && {
        failedCount: Number(row.failed_count),
        lockouts: Number(row.lockouts),
        lockedUntil: Number(row.locked_until),
      }
    );
  }

  /** Counts a wrong password unless it is one of the recent ones; locks at the threshold. */
  async recordFailure(userId: string, password: string, now: number): Promise<void> {
    const key = await this.secrets.get('failed_password');
    const fingerprint = createHmac('sha256', key)
      .update(`${userId}\0${password}`, 'utf8')
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    await immediateTransaction(this.db, async (trx) => {
      const row = await trx
        .selectFrom('sign_in_lockouts')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirst();
      const recent = row ? (JSON.parse(row.recent_failures) as string[]) : [];
      if (recent.includes(fingerprint)) return;
      const failedCount = Number(row?.failed_count ?? 0) + 1;
      let lockouts = Number(row?.lockouts ?? 0);
      let lockedUntil = Number(row?.locked_until ?? 0);
      // The count is kept after a lockout, so the first new failure after it locks again.
      if (failedCount >= LOCKOUT_THRESHOLD) {
        lockedUntil = now + Math.min(LOCKOUT_SECONDS * 2 ** lockouts, MAX_LOCKOUT_SECONDS);
        lockouts += 1;
      }
      const values = {
        failed_count: failedCount,
        recent_failures: JSON.stringify([...recent, fingerprint].slice(-REMEMBERED_FAILURES)),
        lockouts,
        locked_until: lockedUntil,
        updated_at: now,
      };
      if (row) await trx.updateTable('sign_in_lockouts').set(values).where('user_id', '=', userId).execute();
      else
        await trx
          .insertInto('sign_in_lockouts')
          .values({ user_id: userId, ...values })
          .execute();
    });
  }

  /** A successful sign-in forgets every failure. */
  async reset(userId: string): Promise<void> {
    await this.db.deleteFrom('sign_in_lockouts').where('user_id', '=', userId).execute();
  }
}

/**
 * Read-then-write under SQLite's write lock from the start (BEGIN IMMEDIATE): a deferred
 * transaction that read first could not upgrade once another node had written meanwhile.
 */
async function immediateTransaction(
  db: Store,
  work: (trx: Kysely<Database>) => Promise<void>,
): Promise<void> {
  await db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      await work(conn);
      await sql`commit`.execute(conn);
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}
