import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { DirectEngine, DirectSql, DirectTransaction } from '../direct.js';

/**
 * Direct statements on PostgreSQL: reads go to any pooled connection, each write runs in a
 * transaction of its own on one connection. Nothing is group-committed here: the pool runs
 * writes side by side and the server batches their commits itself. Statements are prepared once
 * per connection (named by their text's hash), which is what Kysely's pg driver does not do.
 */
export class PostgresDirect implements DirectEngine {
  private readonly statements = new Map<string, { name: string; text: string }>();
  private readonly reader: DirectSql;

  constructor(private readonly pool: pg.Pool) {
    this.reader = this.on(pool);
  }

  read<T>(work: (sql: DirectSql) => Promise<T>): Promise<T> {
    return work(this.reader);
  }

  async write<T>(work: (sql: DirectTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const value = await work(this.on(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          // The connection is unusable (the server went away): the pool must not hand it out again.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  private on(queryable: pg.Pool | pg.PoolClient): DirectTransaction {
    const query = (text: string, parameters: unknown[]) =>
      queryable.query({ ...this.statement(text), values: parameters });
    return {
      get: async <Row>(text: string, ...parameters: unknown[]) =>
        (await query(text, parameters)).rows[0] as Row | undefined,
      run: async (text: string, ...parameters: unknown[]) => (await query(text, parameters)).rowCount ?? 0,
      lock: async (key: string) => {
        await query(LOCK, [key]);
      },
    };
  }

  private statement(text: string): { name: string; text: string } {
    let statement = this.statements.get(text);
    if (!statement) {
      const name = `direct_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      statement = { name, text: numberedPlaceholders(text) };
      // The hot statements are a handful of constants; the bound is only a guard.
      if (this.statements.size >= 256) this.statements.clear();
      this.statements.set(text, statement);
    }
    return statement;
  }
}

/** Held until the transaction ends; the key's 64-bit hash names the lock. */
const LOCK = 'select pg_advisory_xact_lock(hashtextextended(?, 0))';

/**
 * `?` placeholders (SQLite's, which the direct statements are written with) as `$1`, `$2`, …;
 * a `?` inside a quoted literal or identifier is left alone.
 */
export function numberedPlaceholders(text: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '?') {
      out += `$${++n}`;
      continue;
    }
    out += char;
  }
  return out;
}
