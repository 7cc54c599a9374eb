import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../../src/server/start.js';
import { KEK_FILE } from '../../src/store/keyEncryption.js';
import { stopWhenAsked } from './childLifecycle.js';
import { serveProfileWindows } from './profileWindows.js';

/**
 * Where a bench node keeps its store and how it joins others. Unset: SQLite in a fresh data folder
 * on 127.0.0.1 and a free port. With `databaseUrl`, nodes given the same URL, `kek`, `port` and
 * `mediaDir` (each on a loopback address of its own) are one deployment behind a load balancer.
 */
export interface BenchNodeOptions {
  databaseUrl?: string;
  /** Connections to PostgreSQL this node keeps at most (Tessera's default unless given). */
  poolSize?: number;
  host?: string;
  port?: number;
  /** The key-encryption key (base64) the nodes on one database share, written as `<data>/kek`. */
  kek?: string;
  mediaDir?: string;
}

/**
 * A Tessera node on a fresh data folder (logs at `warn` on stderr), as every benchmark's child
 * server starts. When the parent asks the child to stop (or dies), what `onStop` registered closes
 * first (a bare baseline server), then Tessera, then the folder goes. The parent may profile chosen
 * windows of the child's load (profileWindows.ts). A node joining a database another node already
 * bootstrapped has no `bootstrap`: what it serves was made by the first.
 */
export async function startBenchNode(name: string, node: BenchNodeOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-bench-${name}-`));
  if (node.kek !== undefined) writeFileSync(join(dataDir, KEK_FILE), `${node.kek}\n`, { mode: 0o600 });
  const logger = pino({ level: 'warn' }, pino.destination(2));
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      dataDir,
      ...(node.databaseUrl !== undefined && { databaseUrl: node.databaseUrl }),
      ...(node.poolSize !== undefined && { poolSize: node.poolSize }),
      ...(node.mediaDir !== undefined && { mediaDir: node.mediaDir }),
      host: node.host ?? '127.0.0.1',
      port: node.port ?? 0,
      logger,
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const closers: Array<() => Promise<unknown>> = [];
  serveProfileWindows();
  stopWhenAsked(async () => {
    try {
      for (const close of closers) await close();
      await server.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
  return {
    server,
    tessera: server.tessera,
    dataDir,
    /**
     * The certificate this node serves, for a bare baseline server on the same TLS. On PostgreSQL
     * it is the database's shared one, of which start-up left a copy in the data folder.
     */
    tls: () => ({
      key: readFileSync(join(dataDir, 'tls', 'server-key.pem')),
      cert: readFileSync(join(dataDir, 'tls', 'server.pem')),
    }),
    onStop(close: () => Promise<unknown>): void {
      closers.push(close);
    },
  };
}

/**
 * The first (or only) node of a benchmark: `startBenchNode` plus its first tenant, subscription and
 * resource group, and a confidential client with a secret for client-credentials tokens.
 */
export async function startBenchTessera(
  name: string,
  clientName = 'bench-client',
  node: BenchNodeOptions = {},
) {
  const started = await startBenchNode(name, node);
  const bootstrap = started.server.bootstrap;
  if (!bootstrap) throw new Error('a new data folder (or database) must bootstrap a tenant');
  const { tenant } = bootstrap;
  const { directory } = started.tessera;
  const { application, servicePrincipal } = await directory.registerApplication(tenant, {
    displayName: clientName,
  });
  const { secretText } = await directory.credentials.addPassword(application);
  return {
    ...started,
    bootstrap,
    tenant,
    directory,
    application,
    servicePrincipal,
    secret: secretText,
  };
}
