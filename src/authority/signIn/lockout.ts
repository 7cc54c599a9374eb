import { createHmac, randomUUID } from 'node:crypto';
import type { Store } from '../../store/database.js';
import { sqlRead, sqlWrite } from '../../store/direct.js';
import type { DirectSql } from '../../store/direct.js';
import type { SignInLockoutTable } from '../../store/schema.js';
import type { AuthoritySecrets } from './secrets.js';

/** Entra's smart lockout defaults for commercial tenants. */
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_SECONDS = 60;
/** Each further lockout before a successful sign-in doubles the wait, up to this. */
const MAX_LOCKOUT_SECONDS = 30 * 60;
/** Wrong passwords remembered, so that repeating one does not count again. */
const REMEMBERED_FAILURES = LOCKOUT_THRESHOLD;
/**
 * How long a password check may hold its place. Far longer than any check takes (argon2 is
 * ~15 ms; 30 s is thousands of checks queued behind the workers), short enough that the
 * reservations of a process that died mid-check free the account soon.
 */
export const RESERVATION_SECONDS = 30;
/**
 * How long an attempt waits for a place while every one left is held by checks in flight (a
 * script signing one account in from many threads at once), before it is refused as locked.
 */
export const RESERVATION_WAIT_MS = 3000;
/** Places freed by another process are noticed by looking again this often. */
const RESERVATION_POLL_MS = 100;
/** Attempts of one account waiting here at once; beyond that a burst is refused at once. */
const MAX_WAITING = 64;

// Plain SQL that PostgreSQL runs too. Each step that reads the count and then writes first locks
// the account (`sql.lock`): on SQLite, BEGIN IMMEDIATE (sqlWrite) already serialises every writer
// of the database, across processes as well; on PostgreSQL an advisory lock per account does.
const SELECT_STATE = 'select failed_count, lockouts, locked_until from sign_in_lockouts where user_id = ?';
const SELECT_ROW =
  'select failed_count, recent_failures, lockouts, locked_until from sign_in_lockouts where user_id = ?';
const PURGE_EXPIRED = 'delete from sign_in_reservations where user_id = ? and expires_at <= ?';
const COUNT_RESERVED = 'select count(*) as n from sign_in_reservations where user_id = ?';
const INSERT_RESERVATION = 'insert into sign_in_reservations (id, user_id, expires_at) values (?, ?, ?)';
const DELETE_RESERVATION = 'delete from sign_in_reservations where id = ?';
const DELETE_STATE = 'delete from sign_in_lockouts where user_id = ?';
const INSERT_STATE =
  'insert into sign_in_lockouts (user_id, failed_count, recent_failures, lockouts, locked_until, updated_at) values (?, ?, ?, ?, ?, ?)';
const UPDATE_STATE =
  'update sign_in_lockouts set failed_count = ?, recent_failures = ?, lockouts = ?, locked_until = ?, updated_at = ? where user_id = ?';

export interface LockoutState {
  failedCount: number;
  lockouts: number;
  lockedUntil: number;
}

/** The right to check one password, held from before argon2 runs until its outcome is recorded. */
export interface Reservation {
  id: string;
  userId: string;
}

type StateRow = Pick<SignInLockoutTable, 'failed_count' | 'lockouts' | 'locked_until'>;
type FullRow = StateRow & Pick<SignInLockoutTable, 'recent_failures'>;

/**
 * Smart lockout, kept in the store so every node sees the same count. A password is checked only
 * under a reservation taken atomically with reading the count, and failures plus checks in flight
 * never exceed what is left before the lockout: between the end of one lockout and the next, at
 * most {@link LOCKOUT_THRESHOLD} passwords are ever evaluated for an account, however many
 * requests race (on one node or many). Wrong passwords are remembered only as HMACs under a
 * server key, so the table never holds anything that would help guess a password, and a typo
 * retyped by a person (or a stale password replayed by a script) counts once.
 */
export class SmartLockout {
  /** Attempts waiting for a place, by account: woken when a check here settles. */
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(
    private readonly db: Store,
    private readonly secrets: AuthoritySecrets,
  ) {}

  async state(userId: string): Promise<LockoutState | undefined> {
    const row = await sqlRead(this.db, (sql) => sql.get<StateRow>(SELECT_STATE, userId));
    return (
      row && {
        failedCount: Number(row.failed_count),
        lockouts: Number(row.lockouts),
        lockedUntil: Number(row.locked_until),
      }
    );
  }

  /**
   * Takes a place for one password check, waiting (up to {@link RESERVATION_WAIT_MS}) while the
   * checks in flight hold every failure left before the account would lock; undefined when it
   * is locked, or no place came free in time. Waiting, rather than refusing at once, lets a
   * client sign one account in from many threads; a guesser gains nothing by it, since whoever
   * waits is checked only after the checks ahead of it have been counted.
   */
  async reserve(userId: string, now: number): Promise<Reservation | undefined> {
    const deadline = Date.now() + RESERVATION_WAIT_MS;
    for (;;) {
      const outcome = await this.tryReserve(userId, now);
      if (outcome !== 'busy') return outcome === 'locked' ? undefined : outcome;
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.placeFreed(userId, Math.min(left, RESERVATION_POLL_MS))))
        return undefined;
    }
  }

  /** One look, in one transaction: the lock, the count and the checks in flight. */
  private tryReserve(userId: string, now: number): Promise<Reservation | 'locked' | 'busy'> {
    return sqlWrite(this.db, async (sql) => {
      await sql.lock(lockKey(userId));
      await sql.run(PURGE_EXPIRED, userId, now);
      const row = await sql.get<StateRow>(SELECT_STATE, userId);
      if (row && Number(row.locked_until) > now) return 'locked';
      const failed = Number(row?.failed_count ?? 0);
      // The count survives a lockout (Entra's behaviour), so once one has passed a single new
      // failure locks again: one check at a time until a success clears the count.
      const allowed = failed >= LOCKOUT_THRESHOLD ? 1 : LOCKOUT_THRESHOLD - failed;
      const inFlight = Number((await sql.get<{ n: number }>(COUNT_RESERVED, userId))?.n ?? 0);
      if (inFlight >= allowed) return 'busy';
      const id = randomUUID();
      await sql.run(INSERT_RESERVATION, id, userId, now + RESERVATION_SECONDS);
      return { id, userId };
    });
  }

  /**
   * Resolves when a check of the account settles here, or after `ms` (one settled by another
   * process); false when too many attempts of the account already wait.
   */
  private placeFreed(userId: string, ms: number): Promise<boolean> {
    let waiters = this.waiting.get(userId);
    if (!waiters) this.waiting.set(userId, (waiters = new Set()));
    if (waiters.size >= MAX_WAITING) return Promise.resolve(false);
    const set = waiters;
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiting.get(userId) === set) this.waiting.delete(userId);
        resolve(true);
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
    });
  }

  /**
   * One place came free: the longest waiting attempt tries again (waking every one would cost a
   * write each for one place). A change to the count itself (a failure, or a success clearing
   * failures) may lock the account or free many places: then every one looks.
   */
  private wakeWaiting(userId: string, all: boolean): void {
    const waiters = [...(this.waiting.get(userId) ?? [])];
    for (const wake of all ? waiters : waiters.slice(0, 1)) wake();
  }

  /**
   * A wrong password: counts it unless it is one of the recent ones, locking at the threshold.
   * Counted even when the reservation has expired meanwhile: the password was checked.
   */
  async settleFailure(reservation: Reservation, password: string, now: number): Promise<void> {
    const key = await this.secrets.get('failed_password');
    const fingerprint = createHmac('sha256', key)
      .update(`${reservation.userId}\0${password}`, 'utf8')
      .digest()
      .subarray(0, 16)
      .toString('base64url');
    await sqlWrite(this.db, async (sql) => {
      await sql.lock(lockKey(reservation.userId));
      await sql.run(DELETE_RESERVATION, reservation.id);
      await countFailure(sql, reservation.userId, fingerprint, now);
    });
    this.wakeWaiting(reservation.userId, true);
  }

  /** The right password: forgets every failure. Other checks in flight keep their places. */
  async settleSuccess(reservation: Reservation): Promise<void> {
    const cleared = await sqlWrite(this.db, async (sql) => {
      await sql.lock(lockKey(reservation.userId));
      await sql.run(DELETE_RESERVATION, reservation.id);
      return (await sql.run(DELETE_STATE, reservation.userId)) > 0;
    });
    this.wakeWaiting(reservation.userId, cleared);
  }

  /** Gives the place back without an outcome: the check could not run, or its result is withheld. */
  async release(reservation: Reservation): Promise<void> {
    await sqlWrite(this.db, (sql) => sql.run(DELETE_RESERVATION, reservation.id));
    this.wakeWaiting(reservation.userId, false);
  }
}

const lockKey = (userId: string): string => `sign-in lockout ${userId}`;

async function countFailure(sql: DirectSql, userId: string, fingerprint: string, now: number): Promise<void> {
  const row = await sql.get<FullRow>(SELECT_ROW, userId);
  const recent = row ? (JSON.parse(row.recent_failures) as string[]) : [];
  if (recent.includes(fingerprint)) return;
  const failedCount = Number(row?.failed_count ?? 0) + 1;
  let lockouts = Number(row?.lockouts ?? 0);
  let lockedUntil = Number(row?.locked_until ?? 0);
  // The count is kept after a lockout, so the first new failure after it locks again. A failure
  // that lands while a lockout already runs (a check admitted before it) neither extends it nor
  // counts as another lockout.
  if (failedCount >= LOCKOUT_THRESHOLD && lockedUntil <= now) {
    lockedUntil = now + Math.min(LOCKOUT_SECONDS * 2 ** lockouts, MAX_LOCKOUT_SECONDS);
    lockouts += 1;
  }
  const remembered = JSON.stringify([...recent, fingerprint].slice(-REMEMBERED_FAILURES));
  if (row) await sql.run(UPDATE_STATE, failedCount, remembered, lockouts, lockedUntil, now, userId);
  else await sql.run(INSERT_STATE, userId, failedCount, remembered, lockouts, lockedUntil, now);
}
