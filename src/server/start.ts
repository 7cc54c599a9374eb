import type { Logger } from 'pino';
import { Tessera } from '../tessera.js';
import type { Bootstrap } from '../tessera.js';
import { restrictNewFiles, tightenDataFolder } from '../store/fileModes.js';
import { ensureTlsMaterial } from '../tls/certificateAuthority.js';
import type { TlsMaterial } from '../tls/certificateAuthority.js';
import { ensureSharedTlsMaterial } from '../tls/sharedTls.js';
import { TlsMaterialStore } from '../tls/tlsMaterialStore.js';
import { tlsServerOptions } from '../tls/serverOptions.js';
import { buildApp } from './app.js';
import type { LiveIngest } from '../media/live/liveIngest.js';
import type { TesseraApp } from './app.js';
import { PublicOrigins } from './origins.js';
import { ResourceListeners } from './resourceListeners.js';

export interface StartOptions {
  dataDir: string;
  /** A PostgreSQL URL: the store lives there instead of in the data folder's SQLite file. */
  databaseUrl?: string;
  /** Connections to PostgreSQL at most. */
  poolSize?: number;
  /** Media Services blobs; `<dataDir>/media` unless given (a folder nodes on one database share). */
  mediaDir?: string;
  host: string;
  port: number;
  /** Replaces the live pipeline behind Media Services' channels (tests of the control plane). */
  liveIngest?: LiveIngest;
  logger: Logger;
  /** Extra DNS names for the certificate and for issuers (a public name behind a proxy). */
  hostnames?: string[];
  /** A name of the portal's own; it is one of the server's names too (certificate, issuers). */
  portalHostname?: string;
}

export interface RunningServer {
  app: TesseraApp;
  tessera: Tessera;
  origin: string;
  port: number;
  caCertPath: string;
  bootstrap: Bootstrap | undefined;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const hostnames = [...(options.hostnames ?? [])];
  if (options.portalHostname && !hostnames.includes(options.portalHostname))
    hostnames.push(options.portalHostname);
  restrictNewFiles();
  const tessera = await Tessera.open({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    poolSize: options.poolSize,
    mediaDir: options.mediaDir,
    logger: options.logger,
  });
  try {
    // A node whose key-encryption key is not the store's stops here, not at its first token.
    await tessera.keys.verifySealing();
    const tls = await tlsMaterial(tessera, options.databaseUrl !== undefined, hostnames);
    await tightenDataFolder(options.dataDir, options.logger);
    const bootstrap = await tessera.bootstrap();
    await tessera.keys.current();
    const origins = new PublicOrigins(options.port, hostnames);
    const https = tlsServerOptions({ key: tls.serverKeyPem, cert: tls.serverCertPem });
    const listeners = new ResourceListeners({
      ports: tessera.resourcePorts,
      host: options.host,
      tls: https,
      logger: options.logger,
    });
    const graphPort = await tessera.resourcePorts.graphPort();
    const app = await buildApp({
      tessera,
      origins,
      logger: options.logger,
      https,
      resourceRouting: listeners,
      graphPort,
      listenHost: options.host,
      liveIngest: options.liveIngest,
      portalHostname: options.portalHostname,
    });
    listeners.attach(app.routing);
    tessera.resourcePorts.onChange(() => listeners.sync());
    app.addHook('preClose', () => listeners.close());
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    origins.setPort(port);
    await tessera.resourcePorts.assignMissing();
    await listeners.start();
    let closed = false;
    return {
      app,
      tessera,
      origin: origins.defaultOrigin,
      port,
      caCertPath: tls.caCertPath,
      bootstrap,
      async close() {
        if (closed) return;
        closed = true;
        await app.close();
        await tessera.close();
      },
    };
  } catch (error) {
    await tessera.close();
    throw error;
  }
}

/**
 * On SQLite the data folder's CA and server certificate; on PostgreSQL the ones every node on the
 * database serves (kept in it), made by the first node under the start-up lock.
 */
function tlsMaterial(tessera: Tessera, shared: boolean, extraHostnames: string[]): Promise<TlsMaterial> {
  if (!shared) return ensureTlsMaterial(tessera.dataDir, { extraHostnames });
  const store = new TlsMaterialStore(tessera.db, tessera.sealing);
  return tessera.exclusively(() => ensureSharedTlsMaterial(tessera.dataDir, store, { extraHostnames }));
}
