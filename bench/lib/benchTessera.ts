import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../../src/server/start.js';
import { stopWhenAsked } from './childLifecycle.js';
import { serveProfileWindows } from './profileWindows.js';

/**
 * What every benchmark's child server starts from: Tessera on a fresh data folder (logs at `warn`
 * on stderr), its first tenant, subscription and resource group, and a confidential client with a
 * secret for client-credentials tokens. When the parent asks the child to stop (or dies), what
 * `onStop` registered closes first (a bare baseline server), then Tessera, then the folder goes.
 * The parent may profile chosen windows of the child's load (profileWindows.ts).
 */
export async function startBenchTessera(name: string, clientName = 'bench-client') {
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-bench-${name}-`));
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, logger });
  const bootstrap = server.bootstrap;
  if (!bootstrap) throw new Error('a new data folder must bootstrap a tenant');
  const { tenant } = bootstrap;
  const { tessera } = server;
  const { directory } = tessera;
  const { application, servicePrincipal } = await directory.registerApplication(tenant, {
    displayName: clientName,
  });
  const { secretText } = await directory.credentials.addPassword(application);
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
    tessera,
    dataDir,
    bootstrap,
    tenant,
    directory,
    application,
    servicePrincipal,
    secret: secretText,
    /** The server's own certificate, for a bare baseline server on the same TLS. */
    tls: () => ({
      key: readFileSync(join(dataDir, 'tls', 'server-key.pem')),
      cert: readFileSync(join(dataDir, 'tls', 'server.pem')),
    }),
    onStop(close: () => Promise<unknown>): void {
      closers.push(close);
    },
  };
}
