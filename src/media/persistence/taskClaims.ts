import { sql } from 'kysely';
import type { Store } from '../../store/database.js';
import type { Queryable } from './mediaTables.js';
import { databaseNowMs, withMediaTables } from './mediaTables.js';

/** Another node holds a live lease on the task, or the account already runs all it may. */
export class ClaimRefused extends Error {
  override readonly name = 'ClaimRefused';
}

/** The node's lease on a task is gone: it expired and another node took the task over. */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

export interface TaskLease {
  account: string;
  taskId: string;
  node: string;
  /** Unexpired by the database's clock. */
  live: boolean;
}

export const leaseKey = (account: string, taskId: string): string => `${account} ${taskId}`;

/**
 * Leases of encoding tasks (media_task_claims, migration 0017): which node runs a task, until
 * when. A lease is taken in the same transaction as the task's move to Scheduled
 * (`acquire`, through AccountWriter.withinCommit) and given up in the one that ends the task
 * (`release`), so a task is Scheduled or Processing exactly while a lease names it; the node
 * renews its leases while ffmpeg runs. A node that dies stops renewing: once its lease expires,
 * another node may queue the task again (`clearExpired`, in that unit) and run it.
 */
export class TaskClaims {
  constructor(private readonly db: Store) {}

  /** The leases of one account, or of every account. */
  async leases(account?: string): Promise<TaskLease[]> {
    let query = withMediaTables(this.db)
      .selectFrom('media_task_claims')
      .select(['account', 'task_id', 'node', sql<number>`expires_at - ${databaseNowMs(this.db)}`.as('left')]);
    if (account !== undefined) query = query.where('account', '=', account);
    const rows = await query.execute();
    return rows.map((r) => ({
      account: r.account,
      taskId: r.task_id,
      node: r.node,
      live: Number(r.left) > 0,
    }));
  }

  /**
   * The heartbeat: renews, for `leaseMs` from now, the leases `node` holds on `tasks` (the runs
   * it still has; a lease a run failed to give up is left to expire). The keys it still holds.
   */
  async renewAll(
    node: string,
    leaseMs: number,
    tasks: ReadonlyArray<{ account: string; taskId: string }>,
  ): Promise<Set<string>> {
    if (tasks.length === 0) return new Set();
    const rows = await withMediaTables(this.db)
      .updateTable('media_task_claims')
      .set({ expires_at: sql<number>`${databaseNowMs(this.db)} + ${leaseMs}` })
      .where('node', '=', node)
      .where((eb) =>
        eb(
          eb.refTuple('account', 'task_id'),
          'in',
          tasks.map((t) => eb.tuple(t.account, t.taskId)),
        ),
      )
      .returning(['account', 'task_id'])
      .execute();
    return new Set(rows.map((r) => leaseKey(r.account, r.task_id)));
  }

  /**
   * A node that stops lets its leases expire at once, leaving its tasks as they are, so that the
   * next node to look (this one, restarted, or another) queues them again without waiting.
   */
  async expireAll(node: string): Promise<void> {
    await withMediaTables(this.db)
      .updateTable('media_task_claims')
      .set({ expires_at: 0 })
      .where('node', '=', node)
      .execute();
  }

  /**
   * In the unit that moves the task to Scheduled: the lease for `node`, unless another node holds
   * a live one or the account's live leases already number `limit` (its reserved units, counted
   * across every node). Throws ClaimRefused, aborting the unit.
   */
  async acquire(
    trx: Queryable,
    lease: { account: string; taskId: string; node: string; leaseMs: number; limit: number },
  ): Promise<void> {
    const db = withMediaTables(trx);
    const now = databaseNowMs(trx);
    const running = await db
      .selectFrom('media_task_claims')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account', '=', lease.account)
      .where('task_id', '<>', lease.taskId)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(running?.n ?? 0) >= lease.limit) {
      throw new ClaimRefused(`the account '${lease.account}' runs as many tasks as its reserved units allow`);
    }
    const taken = await db
      .insertInto('media_task_claims')
      .values({
        account: lease.account,
        task_id: lease.taskId,
        node: lease.node,
        expires_at: sql<number>`${now} + ${lease.leaseMs}`,
        claimed_at: now,
      })
      .onConflict((c) =>
        c
          .columns(['account', 'task_id'])
          .doUpdateSet({
            node: (eb) => eb.ref('excluded.node'),
            expires_at: (eb) => eb.ref('excluded.expires_at'),
            claimed_at: (eb) => eb.ref('excluded.claimed_at'),
          })
          .where('media_task_claims.expires_at', '<=', now),
      )
      .returning('node')
      .executeTakeFirst();
    if (!taken) throw new ClaimRefused(`another node holds the task '${lease.taskId}'`);
  }

  /** In a unit of the running task (a progress write): renews the lease, or throws LeaseLost. */
  async renew(
    trx: Queryable,
    lease: { account: string; taskId: string; node: string; leaseMs: number },
  ): Promise<void> {
    const result = await withMediaTables(trx)
      .updateTable('media_task_claims')
      .set({ expires_at: sql<number>`${databaseNowMs(trx)} + ${lease.leaseMs}` })
      .where('account', '=', lease.account)
      .where('task_id', '=', lease.taskId)
      .where('node', '=', lease.node)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new LeaseLost(`the lease on '${lease.taskId}' is lost`);
  }

  /** Outside any unit: renews one lease, or throws LeaseLost (before the outputs of a run move). */
  hold(lease: { account: string; taskId: string; node: string; leaseMs: number }): Promise<void> {
    return this.renew(this.db, lease);
  }

  /** In the unit that ends the task: gives the lease up, or throws LeaseLost (another node has the task). */
  async release(trx: Queryable, lease: { account: string; taskId: string; node: string }): Promise<void> {
    const result = await withMediaTables(trx)
      .deleteFrom('media_task_claims')
      .where('account', '=', lease.account)
      .where('task_id', '=', lease.taskId)
      .where('node', '=', lease.node)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new LeaseLost(`the lease on '${lease.taskId}' is lost`);
  }

  /**
   * In the unit that queues tasks again (or ends their canceled job) because no node runs them:
   * removes their expired leases, and throws ClaimRefused if any of them has a live one after
   * all (a node renewed or claimed it since the caller looked).
   */
  async clearExpired(trx: Queryable, account: string, taskIds: readonly string[]): Promise<void> {
    if (taskIds.length === 0) return;
    const db = withMediaTables(trx);
    const now = databaseNowMs(trx);
    await db
      .deleteFrom('media_task_claims')
      .where('account', '=', account)
      .where('task_id', 'in', taskIds)
      .where('expires_at', '<=', now)
      .execute();
    const live = await db
      .selectFrom('media_task_claims')
      .select('task_id')
      .where('account', '=', account)
      .where('task_id', 'in', taskIds)
      .executeTakeFirst();
    if (live) throw new ClaimRefused(`the task '${live.task_id}' is running on another node`);
  }
}
