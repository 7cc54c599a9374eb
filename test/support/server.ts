import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { RunningServer } from '../../src/server/start.js';
import { startServer } from '../../src/server/start.js';
import type { Tenant } from '../../src/directory/model.js';
import { createTestDatabase, harnessEngine } from './database.js';

export interface TestServer {
  server: RunningServer;
  dataDir: string;
  /** The server's PostgreSQL database (TESSERA_TEST_STORE=postgres): a CLI run must name it too. */
  databaseUrl?: string;
  origin: string;
  tenant: Tenant;
  /** Stops and starts again on the same data folder and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A fresh data folder seeded with the run's CA, so NODE_EXTRA_CA_CERTS trusts the server. */
export function testDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const caDir = process.env.TESSERA_TEST_CA_DIR;
  if (!caDir) throw new Error('TESSERA_TEST_CA_DIR is not set: run the tests with `npm test`');
  mkdirSync(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  for (const file of ['ca.pem', 'ca-key.pem'])
    copyFileSync(join(caDir, 'tls', file), join(dataDir, 'tls', file));
  return dataDir;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = testDataDir();
  const logger = pino({ level: process.env.TESSERA_TEST_LOG_LEVEL ?? 'silent' });
  // TESSERA_TEST_STORE=postgres: a fresh database on the test cluster per server.
  const database = harnessEngine() === 'postgres' ? await createTestDatabase() : undefined;
  const store = { dataDir, databaseUrl: database?.url, poolSize: database && 4 };
  let server = await startServer({ ...store, host: '127.0.0.1', port: 0, logger });
  const tenant = server.bootstrap?.tenant;
  if (!tenant) throw new Error('a new data folder must bootstrap a tenant');
  const handle: TestServer = {
    server,
    dataDir,
    databaseUrl: database?.url,
    origin: server.origin,
    tenant,
    async restart() {
      const port = server.port;
      await server.close();
      server = await startServer({ ...store, host: '127.0.0.1', port, logger });
      handle.server = server;
    },
    async stop() {
      await server.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
