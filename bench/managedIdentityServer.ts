/**
 * Child process for bench/managedIdentity.ts: Tessera with a confidential client (for the
 * client-credentials baseline) and an identity host holding a system-assigned identity (App
 * Service secret and IMDS port). Prints one JSON line (its handshake), serves until
 * SIGTERM/SIGINT or stdin closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { managedIdentitiesOf } from '../src/identity/managedIdentities.js';
import { startServer } from '../src/server/start.js';
import { stopWhenAsked } from './lib/childLifecycle.js';

export interface ManagedIdentityHandshake {
  origin: string;
  tenantId: string;
  clientId: string;
  secret: string;
  caCertPath: string;
  /** The App Service protocol: IDENTITY_HEADER. */
  identityHeader: string;
  imdsPort: number;
  pid: number;
}

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-identity-'));
const logger = pino({ level: 'warn' }, pino.destination(2));
const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, logger });
const tenant = server.bootstrap?.tenant;
if (!tenant) throw new Error('a new data folder must bootstrap a tenant');
const { directory } = server.tessera;
const { application } = await directory.registerApplication(tenant, { displayName: 'bench-client' });
const { secretText } = await directory.credentials.addPassword(application);
const { host, secret } = await managedIdentitiesOf(server.tessera.db).createHost({
  tenantId: tenant.id,
  name: 'bench-host',
  systemAssigned: true,
  userAssigned: [],
  imdsPort: 0,
});

const handshake: ManagedIdentityHandshake = {
  origin: server.origin,
  tenantId: tenant.id,
  clientId: application.appId,
  secret: secretText,
  caCertPath: server.caCertPath,
  identityHeader: secret,
  imdsPort: host.imdsPort,
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
