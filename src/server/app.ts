import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { appConfigPlugin } from '../appconfig/http/plugin.js';
import { authorityPlugin } from '../authority/plugin.js';
import { graphPlugin } from '../graph/http/plugin.js';
import { cloudMetadataPlugin } from '../management/cloudMetadataPlugin.js';
import { managementPlugin } from '../management/plugin.js';
import { mediaFrameworkError } from '../media/http/frameworkErrors.js';
import { mediaPlugin } from '../media/http/plugin.js';
import { managedIdentityPlugin } from '../identity/http/plugin.js';
import { portalPlugin } from '../portal/http/plugin.js';
import type { LiveIngest } from '../media/live/liveIngest.js';
import type { Tessera } from '../tessera.js';
import type { PublicOrigins } from './origins.js';
import { OriginResources } from './originResources.js';
import { randomRequestId } from './requestIds.js';
import { lazyChildLoggers } from './requestLogger.js';
import { resourceRewriter } from './rewriteUrl.js';
import type { ResourceRouting } from './rewriteUrl.js';

export interface AppOptions {
  tessera: Tessera;
  origins: PublicOrigins;
  logger: Logger;
  https: {
    key: string;
    cert: string;
    minVersion?: 'TLSv1.2' | 'TLSv1.3';
    ciphers?: string;
    honorCipherOrder?: boolean;
  };
  /** Resources that are origins of their own (a port each); none when omitted. */
  resourceRouting?: ResourceRouting;
  /** Microsoft Graph's own port (az calls Graph where it gets Graph's tokens); none when omitted. */
  graphPort?: number;
  /** The address the server listens on; live channels' ingest ports bind to it too. */
  listenHost?: string;
  /** Replaces the live pipeline behind Media Services' channels (tests of the control plane). */
  liveIngest?: LiveIngest;
  /** `--portal-hostname`: a name whose root opens the portal. */
  portalHostname?: string;
}

/** The HTTPS application: a small core with each surface an encapsulated plugin. */
export async function buildApp(options: AppOptions) {
  const { graphPort } = options;
  const app = Fastify({
    https: options.https,
    loggerInstance: options.logger as FastifyBaseLogger,
    // Per-request logs at info would cost the token endpoint a fifth of its throughput.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLoggers,
    genReqId: () => randomRequestId(),
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    // Tenant segments are domain names (up to 253 characters); longer ones must still reach the
    // authority to be refused in Entra's shape rather than Fastify's.
    // The Azure SDKs join `{endpoint}/{scope}` with scopes that start with a slash, so ARM
    // requests arrive as `//subscriptions/…`; ARM ignores doubled slashes, so does the router.
    routerOptions: { maxParamLength: 2048, ignoreDuplicateSlashes: true },
    // Stores and accounts addressed by their own origin (a port of their own, or a store's host
    // name `{store}.azconfig.localhost`) are routed as their path-style form.
    rewriteUrl: resourceRewriter(options.resourceRouting ?? { prefixOf: () => undefined }),
    // A path Fastify cannot decode never reaches a slice: each surface still answers in its own
    // wire format (an OData error under /media/), not Fastify's.
    frameworkErrors: answerFrameworkError,
  });

  // Every answer is typed by its Content-Type alone; a public host name keeps browsers on HTTPS.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (options.origins.isPublicHost(request.headers.host)) {
      reply.header('strict-transport-security', 'max-age=31536000');
    }
    done();
  });

  // Only at debug (the level is fixed at start): a hook every request runs costs it even when it logs nothing.
  if (options.logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug(
        { method: request.method, url: request.url, statusCode: reply.statusCode, ms: reply.elapsedTime },
        'request completed',
      );
    });
  }

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: 'NotFound',
        message: `No route matches ${request.method} ${request.url.split('?')[0] ?? ''}.`,
      },
    }),
  );

  await app.register(authorityPlugin, {
    services: {
      directory: options.tessera.directory,
      keys: options.tessera.keys,
      origins: options.origins,
      signIns: options.tessera.signIns,
      originResources: new OriginResources(options.origins, options.tessera.resourcePorts),
    },
  });
  await app.register(managementPlugin, { services: { tessera: options.tessera, origins: options.origins } });
  await app.register(graphPlugin, {
    services: {
      directory: options.tessera.directory,
      signInLog: options.tessera.signIns.log,
      keys: options.tessera.keys,
      origins: options.origins,
      audiences: (aud) => graphPort !== undefined && options.origins.isOwnOrigin(aud, graphPort),
    },
  });
  await app.register(cloudMetadataPlugin, { origins: options.origins, graphPort });
  await app.register(appConfigPlugin, { services: { tessera: options.tessera, origins: options.origins } });
  const { tessera } = options;
  await app.register(mediaPlugin, {
    services: {
      db: tessera.db,
      mediaDir: tessera.mediaDir,
      accounts: tessera.mediaServices,
      subscriptions: tessera.subscriptions,
      access: tessera.access,
      keys: tessera.keys,
      origins: options.origins,
      listenHost: options.listenHost,
      liveIngest: options.liveIngest,
    },
  });
  await app.register(managedIdentityPlugin, {
    services: {
      db: tessera.db,
      authority: {
        directory: tessera.directory,
        keys: tessera.keys,
        origins: options.origins,
        signIns: tessera.signIns,
      },
    },
  });
  await app.register(portalPlugin, { hostname: options.portalHostname });
  return app;
}

export type TesseraApp = Awaited<ReturnType<typeof buildApp>>;

function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (request.url.startsWith('/media/')) {
    const wire = mediaFrameworkError(error, request.headers.accept);
    void reply.status(wire.status).headers(wire.headers).send(wire.body);
    return;
  }
  void reply.send(error);
}
