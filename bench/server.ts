/**
 * The server under test, in its own process so the load generator does not share its event loop.
 * Prints one JSON line on stdout ({origin, tenantId, clientId, secret, caCertPath, username,
 * password}) once it listens, then serves until SIGTERM/SIGINT or until its stdin closes (the
 * parent died), and exits normally so that `--cpu-prof` can write its profile. Logs go to stderr at `warn`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../src/server/start.js';
import { stopWhenAsked } from './lib/childLifecycle.js';

export interface ServerHandshake {
  origin: string;
  tenantId: string;
  clientId: string;
  secret: string;
  caCertPath: string;
  /** A user for password sign-ins (bench/signins.ts), through the Azure CLI's public client. */
  username: string;
  password: string;
  pid: number;
}

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
const logger = pino({ level: 'warn' }, pino.destination(2));
const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, logger });
const tenant = server.bootstrap?.tenant;
if (!tenant) throw new Error('a new data folder must bootstrap a tenant');
const { directory } = server.tessera;
const { application } = await directory.registerApplication(tenant, { displayName: 'bench-client' });
const { secretText } = await directory.credentials.addPassword(application);
const password = 'Bench-Passw0rd!';
const user = await directory.users.create(tenant, {
  userPrincipalName: `bench@${tenant.domain}`,
  displayName: 'Bench User',
  password,
});

const handshake: ServerHandshake = {
  origin: server.origin,
  tenantId: tenant.id,
  clientId: application.appId,
  secret: secretText,
  caCertPath: server.caCertPath,
  username: user.userPrincipalName,
  password,
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(handshake)}\n`);

stopWhenAsked(async () => {
  try {
    await server.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
