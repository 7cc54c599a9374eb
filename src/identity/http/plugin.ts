import type { FastifyError, FastifyInstance } from 'fastify';
import type { AuthorityServices } from '../../authority/context.js';
import { AadstsError, serializeAadstsError } from '../../authority/errors.js';
import type { Store } from '../../store/database.js';
import { ManagedIdentityEndpointError, serializeAppServiceError } from '../errors.js';
import { managedIdentitiesOf } from '../managedIdentities.js';
import { APP_SERVICE_PATH, appServiceEndpoint } from './appServiceEndpoint.js';
import { correlationIdOf } from './correlation.js';
import { imdsEndpoint } from './imdsEndpoint.js';
import { ImdsListeners } from './imdsListeners.js';

export interface ManagedIdentityServices {
  db: Store;
  /** What minting needs: the directory, the signing keys, the origins. */
  authority: AuthorityServices;
}

/**
 * The managed identity endpoints: App Service's protocol on Tessera's HTTPS origin, and one IMDS
 * listener per identity host on loopback, opened when the server is ready and closed with it.
 */
export async function managedIdentityPlugin(
  app: FastifyInstance,
  opts: { services: ManagedIdentityServices },
): Promise<void> {
  const { authority, db } = opts.services;
  const { hosts } = managedIdentitiesOf(db);

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const correlationId = correlationIdOf(request.headers);
    void reply.header('cache-control', 'no-store');
    if (error instanceof ManagedIdentityEndpointError) {
      return reply.status(error.status).send(serializeAppServiceError(error, correlationId));
    }
    if (error instanceof AadstsError && error.status < 500) {
      return reply
        .status(error.status)
        .send(serializeAadstsError(error, { traceId: request.id, correlationId, now: new Date() }));
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply
        .status(status)
        .send({ statusCode: status, message: 'The request is not valid.', correlationId });
    }
    request.log.error({ err: error }, 'managed identity token request failed');
    return reply
      .status(500)
      .send({ statusCode: 500, message: 'An unexpected error occurred.', correlationId });
  });

  const appService = appServiceEndpoint({ authority, hosts });
  // With and without a trailing slash: clients canonicalise endpoint URLs either way.
  for (const url of [APP_SERVICE_PATH, `${APP_SERVICE_PATH}/`]) {
    app.get(url, async (request, reply) => {
      const body = await appService(request);
      return reply.header('cache-control', 'no-store').send(body);
    });
  }

  const listeners = new ImdsListeners({
    hosts,
    handler: imdsEndpoint({ authority, hosts, logger: app.log }),
    logger: app.log,
  });
  app.addHook('onReady', () => listeners.start());
  app.addHook('onClose', () => listeners.close());
}
