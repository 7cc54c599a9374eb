import type { LeaseTerm, LiveLease } from './liveLease.js';

export interface LeaseKeeperOptions {
  lease: LiveLease;
  /** This node's name in the lease. */
  node: string;
  /** How long a holding lasts unless renewed (the lease's own expiry). */
  leaseMs: number;
  /** How often the holder renews, and how often the others try to take the lease. */
  renewMs: number;
  /** The lease was taken: the holder's work begins. Not awaited: renewals go on meanwhile. */
  gained(term: LeaseTerm): void;
  /**
   * The term is over, or being given up (`closing`): the holder's work must stop at once. The
   * keeper tries to take the lease again only once this has resolved.
   */
  lost(term: LeaseTerm, reason: 'taken' | 'unrenewed' | 'closing'): Promise<void>;
  log: { error(obj: unknown, msg: string): void; warn?(obj: unknown, msg: string): void };
}

/**
 * A holder that could not renew for this share of the lease stops its work: by the time the
 * lease expires and another node may take it, this one no longer runs anything (the job
 * runner's self-fence, jobs/runner.ts, is the same).
 */
const SELF_FENCE = 0.8;

/**
 * Keeps one node's lease: takes it when it is free, renews it every `renewMs` while held, and
 * ends the term the moment it is lost — a renewal refused (another node has it), or none
 * accepted for most of the lease's length (the database unreachable, the process stalled). The
 * second is measured from when the last accepted renewal was sent, on this node's clock, so it
 * fires before the lease can have expired by the database's.
 */
export class LeaseKeeper {
  private held: LeaseTerm | undefined;
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private fence: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private ending: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** One attempt to take the lease (its work begins if it was free), then keeps at it. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.renewMs);
    this.timer.unref();
  }

  /** The term held now, if any. */
  get term(): LeaseTerm | undefined {
    return this.held;
  }

  /** The holder's work found its term over (a write refused): it ends now, not at the next renewal. */
  drop(term: LeaseTerm): void {
    if (this.held === term) this.end('taken');
  }

  /** Ends the term, if any (its work stops), gives the lease up, and stops trying to take it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.ticking;
    const held = this.held;
    if (held) {
      this.end('closing');
      await this.ending;
      try {
        await this.options.lease.release(held);
      } catch (error) {
        this.options.log.error({ err: error }, 'live lease: could not be given up; it expires on its own');
      }
    }
    await this.ending;
  }

  private tick(): Promise<void> {
    if (this.closed || this.ticking) return this.ticking ?? Promise.resolve();
    this.ticking = this.step().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async step(): Promise<void> {
    // A term that ended is still stopping: the lease is taken again only once it has stopped.
    if (this.ending) return;
    const { lease, node } = this.options;
    const sent = Date.now();
    const held = this.held;
    try {
      if (held) {
        const renewed = await lease.renew(held);
        if (this.held !== held) return;
        if (renewed) this.renewed(sent);
        else this.end('taken');
        return;
      }
      const term = await lease.acquire(node);
      if (!term) return;
      if (this.closed) {
        await lease.release(term);
        return;
      }
      this.held = term;
      this.renewed(sent);
      this.options.gained(term);
    } catch (error) {
      // Renewals keep being tried until the fence falls.
      this.options.log.error(
        { err: error },
        held ? 'live lease: renewal failed' : 'live lease: could not be taken',
      );
    }
  }

  private renewed(sentAt: number): void {
    this.renewedAt = sentAt;
    clearTimeout(this.fence);
    const left = this.renewedAt + this.options.leaseMs * SELF_FENCE - Date.now();
    this.fence = setTimeout(() => this.end('unrenewed'), Math.max(0, left));
    this.fence.unref();
  }

  private end(reason: 'taken' | 'unrenewed' | 'closing'): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    clearTimeout(this.fence);
    if (reason !== 'closing') {
      this.options.log.warn?.(
        { node: held.node, term: held.term, reason },
        'live lease lost: this node stops its live pipeline',
      );
    }
    this.ending = this.options
      .lost(held, reason)
      .catch((error: unknown) => this.options.log.error({ err: error }, 'live: stopping the term failed'))
      .finally(() => (this.ending = undefined));
  }
}
