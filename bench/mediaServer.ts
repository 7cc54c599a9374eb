/**
 * Child process for bench/media.ts: Tessera with one Media Services account and a service
 * principal that is Contributor on it, and — in the same process, with the same TLS certificate —
 * a bare Fastify HTTPS server, the baseline of the same run:
 *   PUT /bare/upload/:name  streams the body to a file in `bareDir` (what Put Blob does, without
 *                           the blob store: no hash, no record; `?fsync=1` also fsyncs it);
 *   GET /bare/files/:name   sends a file of `bareDir` (stat, then a file stream; one `bytes=a-b`
 *                           range answered 206), as a static file server does.
 * Prints one JSON line (its handshake), serves until SIGTERM/SIGINT or stdin closes.
 */
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Fastify from 'fastify';
import { startBenchTessera } from './lib/benchTessera.js';

export interface MediaHandshake {
  origin: string;
  bareOrigin: string;
  tenantId: string;
  clientId: string;
  secret: string;
  caCertPath: string;
  account: string;
  /** The account's v2 REST root, ending in `/api/`. */
  api: string;
  /** Files the bare routes write and serve; the bench puts the baseline's copies here. */
  bareDir: string;
  pid: number;
}

const ACCOUNT = 'benchmedia';

const bench = await startBenchTessera('media', 'bench-media');
const { server, tessera, bootstrap, application, servicePrincipal, secret: secretText } = bench;
const bareDir = join(bench.dataDir, 'bare');
mkdirSync(join(bareDir, 'uploads'), { recursive: true });
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

const bare = Fastify({ https: bench.tls(), keepAliveTimeout: 72_000 });
bench.onStop(() => bare.close());
await bare.register(async (app) => {
  // The body is the handler's to stream, as in the blob endpoint.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  app.put('/bare/upload/:name', async (request, reply) => {
    const name = basename((request.params as { name: string }).name);
    const path = join(bareDir, 'uploads', name);
    if ((request.query as { fsync?: string }).fsync === '1') {
      const handle = await open(path, 'w');
      try {
        for await (const chunk of request.raw as AsyncIterable<Buffer>) await handle.write(chunk);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      await pipeline(request.raw, createWriteStream(path));
    }
    return reply.code(201).send();
  });
});
bare.get('/bare/files/:name', async (request, reply) => {
  const path = join(bareDir, basename((request.params as { name: string }).name));
  const { size } = await stat(path);
  const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
  reply.header('content-type', 'video/mp4');
  if (!range) {
    reply.header('content-length', String(size));
    return reply.send(createReadStream(path));
  }
  const start = Number(range[1]);
  const end = Math.min(Number(range[2]), size - 1);
  reply
    .code(206)
    .header('content-range', `bytes ${start}-${end}/${size}`)
    .header('content-length', String(end - start + 1));
  return reply.send(createReadStream(path, { start, end }));
});
await bare.listen({ host: '127.0.0.1', port: 0 });
const address = bare.server.address();
const barePort = typeof address === 'object' && address ? address.port : 0;

const handshake: MediaHandshake = {
  origin: server.origin,
  bareOrigin: `https://localhost:${barePort}`,
  tenantId: bootstrap.tenant.id,
  clientId: application.appId,
  secret: secretText,
  caCertPath: server.caCertPath,
  account: ACCOUNT,
  api: `${server.origin}/media/${ACCOUNT}/api/`,
  bareDir,
  pid: process.pid,
};
process.stdout.write(`${JSON.stringify(handshake)}\n`);
