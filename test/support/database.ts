import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreEngine } from '../../src/store/engine.js';

/**
 * The test cluster's URL (`node scripts/postgres.mjs start` prints one); tests create a database
 * of their own on it. Without it, PostgreSQL cases are skipped, saying so.
 */
export const testClusterUrl = (): string | undefined => process.env.TESSERA_TEST_DATABASE_URL || undefined;

export const POSTGRES_SKIP_REASON =
  'TESSERA_TEST_DATABASE_URL is not set (start a cluster with `node scripts/postgres.mjs start` and export the URL it prints)';

/** Why a PostgreSQL test cannot run here, or false when it can. */
export const postgresSkip = (): string | false => (testClusterUrl() ? false : POSTGRES_SKIP_REASON);

/** Each engine a store test runs on, with the reason it is skipped here, if it is. */
export const storeEngines = (): Array<{ engine: StoreEngine; skip: string | false }> => [
  { engine: 'sqlite', skip: false },
  { engine: 'postgres', skip: postgresSkip() },
];

/**
 * The engine the shared server harness (startTestServer) runs on: PostgreSQL when
 * TESSERA_TEST_STORE=postgres (which needs TESSERA_TEST_DATABASE_URL), else SQLite.
 */
export function harnessEngine(): StoreEngine {
  const wanted = process.env.TESSERA_TEST_STORE ?? 'sqlite';
  if (wanted !== 'sqlite' && wanted !== 'postgres') {
    throw new Error(`TESSERA_TEST_STORE must be sqlite or postgres, not ${wanted}`);
  }
  if (wanted === 'postgres' && !testClusterUrl()) {
    throw new Error(`TESSERA_TEST_STORE=postgres, but ${POSTGRES_SKIP_REASON}`);
  }
  return wanted;
}

export interface TestDatabase {
  /** The new database's URL. */
  url: string;
  /** Drops it, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

/** A fresh, empty database on the test cluster, for one test (or one server). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const cluster = testClusterUrl();
  if (!cluster) throw new Error(POSTGRES_SKIP_REASON);
  const name = `t_${randomBytes(8).toString('hex')}`;
  await onCluster(cluster, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(cluster);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await onCluster(cluster, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function onCluster<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Where a test store lives: a fresh data folder, and a fresh database on PostgreSQL. */
export interface TestStoreLocation {
  dataDir: string;
  databaseUrl?: string;
  dispose(): Promise<void>;
}

export async function testStoreLocation(engine: StoreEngine): Promise<TestStoreLocation> {
  const database = engine === 'postgres' ? await createTestDatabase() : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
  return {
    dataDir,
    databaseUrl: database?.url,
    async dispose() {
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
