import pg from 'pg';

/** Carries the area whose change counter moved (migration 0016's trigger on change_counters). */
export const CHANGES_CHANNEL = 'tessera_changes';
/** Sent once per transaction that wrote the access journal (migration 0014). */
export const ACCESS_JOURNAL_CHANNEL = 'tessera_access';

/**
 * What the feed tells: an area's counter moved, the access journal grew, or notifications may
 * have been lost (the connection was (re)established: whatever happened while nobody listened
 * went unheard, so every view must look again).
 */
export type ChangeNotice = { kind: 'area'; area: string } | { kind: 'accessJournal' } | { kind: 'missed' };

export interface ChangeFeedOptions {
  /** First delay before reconnecting; doubled per failed attempt up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * One connection per store that LISTENs for the notifications other processes' commits send, so
 * that in-memory views elsewhere are invalidated within milliseconds instead of a polling window.
 * A notification only says "look again"; the counters and the journal stay the truth, and their
 * polling the fallback, so a notification lost with a connection costs latency, never
 * correctness. Connects on the first subscription (a CLI command that never reads a cached view
 * opens no extra connection), reconnects with backoff, and after every (re)connect reports
 * `missed`.
 */
export class ChangeFeed {
  private readonly listeners = new Set<(notice: ChangeNotice) => void>();
  private client?: pg.Client;
  private pid?: number;
  private connecting?: Promise<void>;
  private retry?: NodeJS.Timeout;
  private failures = 0;
  private started = false;
  private closed = false;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly url: string,
    options: ChangeFeedOptions = {},
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  /** Whether notifications are being received right now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** The PostgreSQL backend listening for this feed, to find it in `pg_stat_activity`. */
  get backendPid(): number | undefined {
    return this.client ? this.pid : undefined;
  }

  subscribe(listener: (notice: ChangeNotice) => void): () => void {
    this.listeners.add(listener);
    if (!this.started && !this.closed) {
      this.started = true;
      this.connect();
    }
    return () => this.listeners.delete(listener);
  }

  /** Ends the connection and every reconnection; called when the store is destroyed. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private connect(): void {
    this.retry = undefined;
    this.connecting = this.open().finally(() => {
      this.connecting = undefined;
    });
  }

  private async open(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'tessera changes',
      // A peer that vanished without closing (a failover, a cable) is noticed by the kernel.
      keepAlive: true,
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => this.dispatch(message.channel, message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}; LISTEN ${ACCESS_JOURNAL_CHANNEL}`);
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      this.pid = rows[0]?.pid;
    } catch {
      await client.end().catch(() => {});
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.failures = 0;
    this.emit({ kind: 'missed' });
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => {});
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    const ceiling = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.failures);
    this.failures += 1;
    // Jitter: nodes that lost the database together do not all come back in the same instant.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retry = setTimeout(() => this.connect(), delay);
  }

  private dispatch(channel: string, payload: string | undefined): void {
    if (channel === ACCESS_JOURNAL_CHANNEL) this.emit({ kind: 'accessJournal' });
    else if (channel === CHANGES_CHANNEL && payload) this.emit({ kind: 'area', area: payload });
  }

  private emit(notice: ChangeNotice): void {
    for (const listener of this.listeners) listener(notice);
  }
}

const feeds = new WeakMap<object, ChangeFeed>();

/** Called when a PostgreSQL store is opened: `db`'s readers learn of changes through `feed`. */
export function attachChangeFeed(db: object, feed: ChangeFeed): void {
  feeds.set(db, feed);
}

/** The store's feed, or undefined on SQLite (readers poll the counters there). */
export const changeFeedOf = (db: object): ChangeFeed | undefined => feeds.get(db);
