import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../../src/server/start.js';
import { stopWhenAsked } from './childLifecycle.js';

/**
 * What every benchmark's child server starts from: Tessera on a fresh data folder (logs at `warn`
 * on stderr), its first tenant, and a confidential client with a secret for client-credentials
 * tokens. The folder goes when the parent asks the child to stop (or dies).
 */
export async function startBenchTessera(name: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-bench-${name}-`));
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, logger });
  const tenant = server.bootstrap?.tenant;
  if (!tenant) throw new Error('a new data folder must bootstrap a tenant');
  const { directory } = server.tessera;
  const { application } = await directory.registerApplication(tenant, { displayName: 'bench-client' });
  const { secretText } = await directory.credentials.addPassword(application);
  stopWhenAsked(async () => {
    try {
      await server.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
  return { server, tenant, directory, application, secret: secretText };
}
