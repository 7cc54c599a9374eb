/**
 * Child process for bench/live.ts: Tessera (with its real live pipeline: RTMP ingest ports on
 * 127.0.0.1, the segmenters it spawns, the preview origin) with one Media Services account and a
 * service principal that is Contributor on it. Prints one JSON line (its handshake), serves until
 * SIGTERM/SIGINT or stdin closes. Its pid is what the bench charges the channels' CPU to, with
 * the ffmpeg segmenters below it.
 */
import { startBenchTessera } from './lib/benchTessera.js';

export interface LiveHandshake {
  origin: string;
  tenantId: string;
  clientId: string;
  secret: string;
  caCertPath: string;
  account: string;
  /** The account's v2 REST root, ending in `/api/`. */
  api: string;
  pid: number;
}

const ACCOUNT = 'benchlive';

const { server, tessera, bootstrap, application, servicePrincipal, secret } = await startBenchTessera(
  'live',
  'bench-live',
);
const { account } = await tessera.mediaServices.createOrUpdate({
  subscriptionId: bootstrap.subscription.subscriptionId,
  resourceGroup: bootstrap.resourceGroup.name,
  name: ACCOUNT,
  location: 'westus',
});
await tessera.roleAssignments.create({
  tenantId: bootstrap.tenant.id,
  scope: account.id,
  roleDefinition: 'Contributor',
  principalId: servicePrincipal.objectId,
});

const handshake: LiveHandshake = {
  origin: server.origin,
  tenantId: bootstrap.tenant.id,
  clientId: application.appId,
  secret,
  caCertPath: server.caCertPath,
  account: ACCOUNT,
  api: `${server.origin}/media/${ACCOUNT}/api/`,
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(handshake)}\n`);
