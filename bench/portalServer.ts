/**
 * Child process for bench/portal.ts: Tessera serving the built portal, with the first-start
 * administrator, and — in the same process, on the same TLS certificate — a bare Fastify server
 * with the smallest page that renders a heading from a module script (the run's baseline: what
 * the browser, TLS and a module load cost before any of the portal's own work). Prints one JSON
 * line, its handshake; serves until asked to stop.
 */
import Fastify from 'fastify';
import { startBenchTessera } from './lib/benchTessera.js';

export interface PortalHandshake {
  origin: string;
  bareOrigin: string;
  username: string;
  password: string;
  /** The server's certificate (PEM): Chromium is told to trust exactly its key. */
  serverCertPem: string;
  pid: number;
}

const BARE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baseline</title>
<script type="module" src="/main.js"></script></head><body><div id="app"></div></body></html>`;
// The same last step as the portal's first screen: a module script puts the screen's heading in.
const BARE_SCRIPT = `document.getElementById('app').innerHTML = '<h1>Home</h1><table><caption>Subscriptions</caption></table>';`;

const bench = await startBenchTessera('portal', 'bench-portal');
const administrator = bench.bootstrap.administrator;
const bare = Fastify({ https: bench.tls() });
bench.onStop(() => bare.close());
bare.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(BARE_PAGE));
bare.get('/main.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(BARE_SCRIPT));
await bare.listen({ host: '127.0.0.1', port: 0 });
const address = bare.server.address();
const barePort = typeof address === 'object' && address ? address.port : 0;

const handshake: PortalHandshake = {
  origin: bench.server.origin,
  bareOrigin: `https://localhost:${barePort}`,
  username: administrator.user.userPrincipalName,
  password: administrator.password,
  serverCertPem: bench.tls().cert.toString('utf8'),
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(handshake)}\n`);
