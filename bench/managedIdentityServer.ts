/**
 * Child process for bench/managedIdentity.ts: Tessera with a confidential client (for the
 * client-credentials baseline) and an identity host holding a system-assigned identity (App
 * Service secret and IMDS port). Prints one JSON line (its handshake), serves until
 * SIGTERM/SIGINT or stdin closes.
 */
import { managedIdentitiesOf } from '../src/identity/managedIdentities.js';
import { startBenchTessera } from './lib/benchTessera.js';

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

const { server, tenant, application, secret: secretText } = await startBenchTessera('identity');
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
