import { newNodeId } from '../../jobs/nodeIdentity.js';
import type { MediaEntities } from '../../persistence/mediaEntities.js';
import type { LiveIngest } from '../liveIngest.js';
import type { LiveOutputMirror } from '../origin/liveMirror.js';
import { LeaseKeeper } from './leaseKeeper.js';
import { LIVE_LEASE_MS, soleLiveLease } from './liveLease.js';
import type { LeaseTerm, LiveLease } from './liveLease.js';
import { LiveTerm } from './liveTerm.js';

export interface LiveSupervisorOptions {
  entities: MediaEntities;
  /** The live pipeline: listeners, packaging, recording. */
  ingest: LiveIngest;
  /** Accounts with live entities or operations, for the scan at the start of a term and the poll. */
  accountsWithLive(): Promise<string[]>;
  /** Where published URLs point when the request that started a channel named no origin. */
  origin(): string;
  log: {
    error(obj: unknown, msg: string): void;
    warn?(obj: unknown, msg: string): void;
    info?(obj: unknown, msg: string): void;
  };
  /**
   * Which node runs the pipeline among the nodes on the store (StoreLiveLease). Absent: this
   * supervisor is alone on its store by construction (a test's, with no server).
   */
  lease?: LiveLease;
  /** This node's name in the lease; a new one unless given. */
  node?: string;
  /** The lease's length (it must be the lease's own expiry); 10 s unless given. */
  leaseMs?: number;
  /** How often the lease is renewed, or tried by a node that does not hold it; 2 s unless given. */
  renewMs?: number;
  /** Where the holder publishes its live outputs for the nodes that do not run the pipeline. */
  mirror?: LiveOutputMirror;
  /** How often to look for work recorded by other processes (the CLI, other nodes); tests shorten it. */
  pollMs?: number;
  /** How long one pipeline call may take before its operation fails with Timeout. */
  callTimeoutMs?: number;
  /** Delays between attempts of an operation's final write. */
  finalWriteRetryMs?: readonly number[];
}

const RENEW_MS = 2000;

/**
 * The live control plane of one node. Several nodes may share a store (PostgreSQL; or a server
 * and the CLI on one SQLite data folder, where the CLI never runs a supervisor), but one node at
 * a time runs the live pipeline: the one holding the live lease (liveLease.ts), which this
 * supervisor takes when it is free and renews every 2 s (it lasts 10 s). While it holds it, a
 * term (liveTerm.ts) does what a start did before leases: Running channels listen again,
 * Running programs record again, operations InProgress finish; then it carries out the work
 * recorded on any node. A node without the lease records work (the API's 202 and operation)
 * and leaves it to the holder, which finds it by polling; it tries to take the lease every 2 s,
 * so when the holder dies another node takes over within the lease's length and what was
 * running runs again there.
 *
 * A holder that loses its lease — a renewal refused, none accepted for 8 s, or a write that
 * found it gone — closes its pipeline at once, so two nodes never ingest the same channel; its
 * records stay as they are for the next holder. Closing the supervisor ends the term and gives
 * the lease up, so another node takes over at once.
 */
export class LiveSupervisor {
  private readonly keeper: LeaseKeeper;
  private readonly lease: LiveLease;
  private current: LiveTerm | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly options: LiveSupervisorOptions) {
    this.lease = options.lease ?? soleLiveLease();
    this.keeper = new LeaseKeeper({
      lease: this.lease,
      node: options.node ?? newNodeId(),
      leaseMs: options.leaseMs ?? LIVE_LEASE_MS,
      renewMs: options.renewMs ?? RENEW_MS,
      log: options.log,
      gained: (term) => this.begin(term),
      lost: (_term, reason) => this.endTerm(reason === 'closing'),
    });
  }

  /** Takes the lease if it is free and, if so, does what a term begins with; then keeps at it. */
  async start(): Promise<void> {
    await this.keeper.start();
    await this.starting;
  }

  /** New work was recorded for the account in this process; a node without the lease leaves it to the holder. */
  wake(account: string): void {
    this.current?.wake(account);
  }

  /** Ends the term (the pipeline closes, states stay as recorded) and gives the lease up. */
  async close(): Promise<void> {
    await this.keeper.close();
  }

  /** Waits until nothing runs (tests). */
  async idle(): Promise<void> {
    await this.starting;
    await this.current?.idle();
  }

  private begin(held: LeaseTerm): void {
    const term = new LiveTerm({
      ...this.options,
      lease: this.lease,
      held,
      onLeaseLost: () => this.keeper.drop(held),
    });
    this.current = term;
    this.options.log.info?.({ node: held.node, term: held.term }, 'live: this node runs the live pipeline');
    this.starting = term
      .start()
      .catch((error: unknown) => this.options.log.error({ err: error }, 'live: the term could not start'))
      .finally(() => (this.starting = undefined));
  }

  private async endTerm(withdraw: boolean): Promise<void> {
    const term = this.current;
    this.current = undefined;
    await term?.close(withdraw);
  }
}
