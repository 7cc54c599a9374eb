/**
 * The server under test, in its own process so the load generator does not share its event loop.
 * Prints one JSON line on stdout ({origin, tenantId, clientId, secret, caCertPath, username,
 * password}) once it listens, then serves until SIGTERM/SIGINT or until its stdin closes (the
 * parent died), and exits normally so that `--cpu-prof` can write its profile. Logs go to stderr at `warn`.
 */
import { startBenchTessera } from './lib/benchTessera.js';

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

const { server, tenant, directory, application, secret: secretText } = await startBenchTessera('tokens');
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
