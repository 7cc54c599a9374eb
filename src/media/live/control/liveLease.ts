import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { databaseNowMs } from '../../persistence/mediaTables.js';
import type { Store } from '../../../store/database.js';
import type { Database } from '../../../store/schema.js';

/** Migration 0019's table, declared beside the only code that reads it. */
// A type, not an interface: withTables wants an index signature, which interfaces lack.
export type LiveLeaseTables = {
  live_lease: { name: string; node: string; term: number; expires_at: number; acquired_at: number };
};

/** A store, or one of its transactions. */
type Queryable = Kysely<Database>;

const withLeaseTable = (db: Queryable): Kysely<Database & LiveLeaseTables> =>
  db.withTables<LiveLeaseTables>();

/** One holding of the lease: by this node, in this term (every takeover starts a new one). */
export interface LeaseTerm {
  node: string;
  term: number;
}

/** Who the lease names now, and whether that holding is still unexpired by the database's clock. */
export interface LeaseHolder extends LeaseTerm {
  live: boolean;
}

/** The node's term is over: the lease expired, or another node took it. Aborts the unit it is thrown in. */
export class LiveLeaseLost extends Error {
  override readonly name = 'LiveLeaseLost';
}

/**
 * Which node runs the live pipeline, among the nodes sharing one store. The lease is the
 * permission to call the pipeline and to write what it did: a node takes it when it is free
 * (never held, given up, or expired), keeps it by renewing it well before it expires, and gives
 * it up when it stops. A holding is a term: a renewal or a write of an earlier term is refused,
 * so a node that lost the lease (it could not renew in time, or another node took it after it
 * expired) can never extend it or write over its successor's work.
 */
export interface LiveLease {
  /** Takes the lease if no other node holds an unexpired one; the new term, or undefined. */
  acquire(node: string): Promise<LeaseTerm | undefined>;
  /** Extends the term's lease; false when the term is over (expired, or taken over). */
  renew(held: LeaseTerm): Promise<boolean>;
  /**
   * In a unit of work of the holder: extends the lease within the unit's transaction, or throws
   * LiveLeaseLost so that nothing of the unit is written. On PostgreSQL the row stays locked
   * until the unit commits, so no node can take the lease over in between.
   */
  confirm(trx: Queryable, held: LeaseTerm): Promise<void>;
  /** Gives the lease up at once (a clean stop): the next node to try takes it without waiting. */
  release(held: LeaseTerm): Promise<void>;
  /** The holder named now, if the lease was ever taken. */
  holder(): Promise<LeaseHolder | undefined>;
}

const PIPELINE = 'pipeline';
/** How long a holding lasts unless renewed: how long the nodes wait for a holder that died. */
export const LIVE_LEASE_MS = 10_000;

/**
 * The lease as a row of `live_lease` (migration 0019), on either engine. Taking it is one
 * statement — an insert that, on conflict, takes the row over only where it has expired or
 * already names this node — so of several nodes trying at once exactly one gets a row back.
 * Expiry is the database's clock, as task leases' is (persistence/taskClaims.ts).
 */
export class StoreLiveLease implements LiveLease {
  constructor(
    private readonly db: Store,
    private readonly leaseMs: number = LIVE_LEASE_MS,
  ) {}

  async acquire(node: string): Promise<LeaseTerm | undefined> {
    const now = databaseNowMs(this.db);
    const row = await withLeaseTable(this.db)
      .insertInto('live_lease')
      .values({
        name: PIPELINE,
        node,
        term: 1,
        expires_at: sql<number>`${now} + ${this.leaseMs}`,
        acquired_at: now,
      })
      .onConflict((c) =>
        c
          .column('name')
          .doUpdateSet({
            node: (eb) => eb.ref('excluded.node'),
            term: sql<number>`live_lease.term + 1`,
            expires_at: (eb) => eb.ref('excluded.expires_at'),
            acquired_at: (eb) => eb.ref('excluded.acquired_at'),
          })
          // A node may take its own row back: it ends its previous term before it tries again.
          .where((eb) => eb.or([eb('live_lease.expires_at', '<=', now), eb('live_lease.node', '=', node)])),
      )
      .returning(['node', 'term'])
      .executeTakeFirst();
    return row ? { node: row.node, term: Number(row.term) } : undefined;
  }

  async renew(held: LeaseTerm): Promise<boolean> {
    return (await this.extend(this.db, held)) > 0;
  }

  async confirm(trx: Queryable, held: LeaseTerm): Promise<void> {
    if ((await this.extend(trx, held)) === 0) {
      throw new LiveLeaseLost(`the live lease of ${held.node} (term ${held.term}) is over`);
    }
  }

  async release(held: LeaseTerm): Promise<void> {
    await withLeaseTable(this.db)
      .updateTable('live_lease')
      .set({ expires_at: 0 })
      .where('name', '=', PIPELINE)
      .where('node', '=', held.node)
      .where('term', '=', held.term)
      .execute();
  }

  async holder(): Promise<LeaseHolder | undefined> {
    const row = await withLeaseTable(this.db)
      .selectFrom('live_lease')
      .select(['node', 'term', sql<number>`expires_at - ${databaseNowMs(this.db)}`.as('left')])
      .where('name', '=', PIPELINE)
      .executeTakeFirst();
    return row ? { node: row.node, term: Number(row.term), live: Number(row.left) > 0 } : undefined;
  }

  /** Extends an unexpired holding of this term; the rows changed (0: the term is over). */
  private async extend(db: Queryable, held: LeaseTerm): Promise<number> {
    const now = databaseNowMs(db);
    const result = await withLeaseTable(db)
      .updateTable('live_lease')
      .set({ expires_at: sql<number>`${now} + ${this.leaseMs}` })
      .where('name', '=', PIPELINE)
      .where('node', '=', held.node)
      .where('term', '=', held.term)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

/**
 * The lease of a supervisor that is alone on its store by construction (a test that runs one
 * without a server): always granted, never lost.
 */
export const soleLiveLease = (): LiveLease => {
  let term = 0;
  return {
    acquire: (node) => Promise.resolve({ node, term: ++term }),
    renew: () => Promise.resolve(true),
    confirm: () => Promise.resolve(),
    release: () => Promise.resolve(),
    holder: () => Promise.resolve(undefined),
  };
};
