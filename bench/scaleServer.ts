/**
 * Child process for bench/scale.ts: one Tessera node. The parent describes it in the environment
 * (SCALE_NODE_ENV, JSON): `first` bootstraps a data folder or database and makes what the loads
 * need — a confidential client, an App Configuration store holding one key-value, and the
 * client's service principal as "App Configuration Data Reader" of that store; `join` starts
 * one more node on a database a `first` node already made, sharing its port, key-encryption key
 * and media folder from another loopback address. Prints one JSON line (its handshake), then
 * serves until SIGTERM/SIGINT or until stdin closes.
 */
import { ConfigurationData } from '../src/appconfig/configurationData.js';
import { startBenchNode, startBenchTessera } from './lib/benchTessera.js';
import { SCALE_NODE_ENV } from './lib/scaleNode.js';
import type { ScaleHandshake, ScaleNodeSpec } from './lib/scaleNode.js';

const STORE = 'bench-scale-store';
const READ_KEY = 'bench:scale:read';

const spec = JSON.parse(process.env[SCALE_NODE_ENV] ?? 'null') as ScaleNodeSpec | null;
if (!spec) throw new Error(`${SCALE_NODE_ENV} must describe the node (bench/scale.ts sets it)`);
const host = spec.node.host ?? '127.0.0.1';

let handshake: ScaleHandshake;
if (spec.role === 'first') {
  const bench = await startBenchTessera('scale', 'bench-scale', spec.node);
  const { server, tessera, bootstrap, application, servicePrincipal, secret } = bench;
  const { store } = await tessera.configurationStores.createOrUpdate({
    subscriptionId: bootstrap.subscription.subscriptionId,
    resourceGroup: bootstrap.resourceGroup.name,
    name: STORE,
    location: 'westus',
    sku: 'standard',
  });
  await tessera.roleAssignments.create({
    tenantId: bootstrap.tenant.id,
    scope: store.id,
    roleDefinition: 'App Configuration Data Reader',
    principalId: servicePrincipal.objectId,
  });
  await new ConfigurationData(tessera.db).keyValues.set(STORE, {
    key: READ_KEY,
    label: null,
    value: 'https://example.com/a/value/of/realistic/length',
    contentType: 'text/plain',
    description: null,
    tags: { team: 'bench' },
  });
  handshake = {
    pid: process.pid,
    host,
    port: server.port,
    caCertPath: server.caCertPath,
    setup: {
      origin: server.origin,
      tenantId: bootstrap.tenant.id,
      clientId: application.appId,
      secret,
      storePort: store.port ?? server.port,
      readKey: READ_KEY,
    },
  };
} else {
  const { server } = await startBenchNode('scale', spec.node);
  handshake = { pid: process.pid, host, port: server.port, caCertPath: server.caCertPath };
}
process.stdout.write(`${JSON.stringify(handshake)}\n`);
