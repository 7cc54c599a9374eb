import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { RunningServer } from '../../src/server/start.js';
import { startServer } from '../../src/server/start.js';
import type { Tenant } from '../../src/directory/model.js';
import type { LiveIngest } from '../../src/media/live/liveIngest.js';
import { KEK_FILE } from '../../src/store/keyEncryption.js';
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

export interface TestServerOptions {
  /**
   * A PostgreSQL database of the caller's (other nodes may already run on it): this server is one
   * more node of that deployment. Its tenant is the default one; the caller drops the database.
   */
  databaseUrl?: string;
  /** The key-encryption key (base64) the nodes on one database share: this node's `<data>/kek`. */
  kek?: string;
  /**
   * Another loopback address, and the port the other nodes listen on: nodes behind one origin
   * (`https://localhost:<port>`), as machines behind a load balancer are. 127.0.0.1 and a free
   * port unless given.
   */
  host?: string;
  port?: number;
  /**
   * What runs live channels instead of Tessera's pipeline (a test's double of it). Read at every
   * start, so a test may put another here before restart(), as a new process would have.
   */
  liveIngest?: LiveIngest;
  /** Media Services' folder (`--media-dir`): one every node of a deployment shares. */
  mediaDir?: string;
}

/**
 * A fresh data folder seeded with the run's CA, so NODE_EXTRA_CA_CERTS trusts the server, and with
 * the run's server certificate for the loopback names, which the server keeps (a key pair less to
 * generate per server); a server with more names issues its own.
 */
export function testDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const caDir = process.env.TESSERA_TEST_CA_DIR;
  if (!caDir) throw new Error('TESSERA_TEST_CA_DIR is not set: run the tests with `npm test`');
  mkdirSync(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  for (const file of ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem'])
    copyFileSync(join(caDir, 'tls', file), join(dataDir, 'tls', file));
  return dataDir;
}

/**
 * The arguments a CLI run needs to open a test server's store: `--data`, and `--database` when
 * the server runs on PostgreSQL.
 */
export const storeArgs = (t: { dataDir: string; databaseUrl?: string }): string[] =>
  t.databaseUrl === undefined ? ['--data', t.dataDir] : ['--data', t.dataDir, '--database', t.databaseUrl];

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = testDataDir();
  if (options.kek !== undefined) writeFileSync(join(dataDir, KEK_FILE), `${options.kek}\n`, { mode: 0o600 });
  const logger = pino({ level: process.env.TESSERA_TEST_LOG_LEVEL ?? 'silent' });
  // TESSERA_TEST_STORE=postgres: a fresh database on the test cluster per server.
  const database =
    options.databaseUrl === undefined && harnessEngine() === 'postgres'
      ? await createTestDatabase()
      : undefined;
  const databaseUrl = options.databaseUrl ?? database?.url;
  const store = { dataDir, databaseUrl, poolSize: databaseUrl === undefined ? undefined : 4 };
  const host = options.host ?? '127.0.0.1';
  let server: RunningServer;
  try {
    server = await startServer({
      ...store,
      host,
      port: options.port ?? 0,
      logger,
      liveIngest: options.liveIngest,
      mediaDir: options.mediaDir,
    });
  } catch (error) {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  // Another node of the database may have made the tenant.
  const tenant =
    server.bootstrap?.tenant ?? (options.databaseUrl ? await server.tessera.defaultTenant() : undefined);
  if (!tenant) throw new Error('a new data folder must bootstrap a tenant');
  const handle: TestServer = {
    server,
    dataDir,
    databaseUrl,
    origin: server.origin,
    tenant,
    async restart() {
      const port = server.port;
      await server.close();
      server = await startServer({
        ...store,
        host,
        port,
        logger,
        liveIngest: options.liveIngest,
        mediaDir: options.mediaDir,
      });
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
