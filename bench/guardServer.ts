/**
 * Child process for bench/guard.ts: Tessera (the guarded ARM route) and, in the same process and
 * with the same TLS certificate, a bare Fastify HTTPS route: the baseline of the same run.
 * Prints one JSON line (its handshake), serves until SIGTERM/SIGINT or until stdin closes.
 */
import Fastify from 'fastify';
import { Guard, GuardError } from '../src/guard/index.js';
import { LocalKeys } from '../src/guard/keys/localKeys.js';
import { startBenchTessera } from './lib/benchTessera.js';

export interface GuardHandshake {
  origin: string;
  bareOrigin: string;
  tenantId: string;
  subscriptionId: string;
  clientId: string;
  secret: string;
  caCertPath: string;
  pid: number;
}

const bench = await startBenchTessera('guard', 'bench-reader');
const { server, tessera, bootstrap, application, servicePrincipal, secret: secretText } = bench;
const subscriptionScope = `/subscriptions/${bootstrap.subscription.subscriptionId}`;
await tessera.roleAssignments.create({
  tenantId: bootstrap.tenant.id,
  scope: subscriptionScope,
  roleDefinition: 'Reader',
  principalId: servicePrincipal.objectId,
});

const bare = Fastify({ https: bench.tls() });
bench.onStop(() => bare.close());
bare.get('/bare', async () => ({ id: subscriptionScope }));
// The "guarded request": the tessera/guard library (bearer check against Tessera's keys)
// plus an RBAC evaluation by Tessera's engine, in front of the same trivial handler.
const guard = new Guard({
  authority: server.origin,
  tenantId: bootstrap.tenant.id,
  audiences: ['https://management.azure.com', 'https://management.azure.com/'],
  keys: new LocalKeys(tessera.keys),
});
bare.get('/guarded', async (request, reply) => {
  let principalId: string;
  try {
    principalId = (await guard.authenticate(request.headers.authorization)).principal.objectId;
  } catch (error) {
    if (!(error instanceof GuardError)) throw error;
    return reply.status(401).header('www-authenticate', error.wwwAuthenticate).send(error.toJSON());
  }
  const decision = await tessera.access.evaluate(
    principalId,
    'Microsoft.Resources/subscriptions/read',
    subscriptionScope,
    'action',
  );
  if (!decision.allowed) return reply.status(403).send({ error: { code: 'AuthorizationFailed' } });
  return { id: subscriptionScope };
});
await bare.listen({ host: '127.0.0.1', port: 0 });
const address = bare.server.address();
const barePort = typeof address === 'object' && address ? address.port : 0;

const handshake: GuardHandshake = {
  origin: server.origin,
  bareOrigin: `https://localhost:${barePort}`,
  tenantId: bootstrap.tenant.id,
  subscriptionId: bootstrap.subscription.subscriptionId,
  clientId: application.appId,
  secret: secretText,
  caCertPath: server.caCertPath,
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(handshake)}\n`);
