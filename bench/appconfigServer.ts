/**
 * Child process for bench/appconfig.ts: Tessera with one App Configuration store (a key-value to
 * read, 10,000 under one prefix to list), a principal that is Data Owner of it, and — in the
 * same process, with the same TLS certificate — a bare Fastify HTTPS route, the baseline of the
 * same run. Prints one JSON line (its handshake), serves until SIGTERM/SIGINT or stdin closes.
 */
import { originWithPort } from '../src/server/origins.js';
import Fastify from 'fastify';
import { ConfigurationData } from '../src/appconfig/configurationData.js';
import { startBenchTessera } from './lib/benchTessera.js';

export interface AppConfigHandshake {
  origin: string;
  bareOrigin: string;
  tenantId: string;
  clientId: string;
  secret: string;
  caCertPath: string;
  storeName: string;
  /** The store's own origin (a port of its own), where every load is sent. */
  endpoint: string;
  /** The key-value the read benchmark fetches, and the prefix of the listed ones. */
  readKey: string;
  listPrefix: string;
  listCount: number;
  pid: number;
}

const STORE = 'bench-store';
const LIST_PREFIX = 'bench:list:';
const LIST_COUNT = 10_000;

const bench = await startBenchTessera('appconfig', 'bench-appconfig');
const { server, tessera, bootstrap, application, servicePrincipal, secret: secretText } = bench;
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
  roleDefinition: 'App Configuration Data Owner',
  principalId: servicePrincipal.objectId,
});

const data = new ConfigurationData(tessera.db);
const readKey = 'bench:read';
await data.keyValues.set(STORE, {
  key: readKey,
  label: null,
  value: 'https://example.com/a/value/of/realistic/length',
  contentType: 'text/plain',
  description: null,
  tags: { team: 'bench' },
});
await data.keyValues.setMany(
  STORE,
  Array.from({ length: LIST_COUNT }, (_, i) => ({
    key: `${LIST_PREFIX}${String(i).padStart(5, '0')}`,
    label: null,
    value: `value ${i}`,
    contentType: null,
    description: null,
    tags: {},
  })),
);
// Keys on both sides of the prefix, so the listing has to find its range.
await data.keyValues.setMany(
  STORE,
  ['bench:lisa', 'bench:lisu', 'bench:other'].map((key) => ({
    key,
    label: null,
    value: 'x',
    contentType: null,
    description: null,
    tags: {},
  })),
);

const bare = Fastify({ https: bench.tls() });
bench.onStop(() => bare.close());
// The same shape and size as the key-value the guarded route returns.
const sample = await data.keyValues.get(STORE, readKey, null);
bare.get('/bare', async () => sample);
await bare.listen({ host: '127.0.0.1', port: 0 });
const address = bare.server.address();
const barePort = typeof address === 'object' && address ? address.port : 0;

const handshake: AppConfigHandshake = {
  origin: server.origin,
  bareOrigin: `https://localhost:${barePort}`,
  tenantId: bootstrap.tenant.id,
  clientId: application.appId,
  secret: secretText,
  caCertPath: server.caCertPath,
  storeName: STORE,
  endpoint: originWithPort(server.origin, store.port ?? server.port),
  readKey,
  listPrefix: LIST_PREFIX,
  listCount: LIST_COUNT,
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(handshake)}\n`);
