import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedBearer } from './bearerVerifier.js';
import { Guard, GuardError } from './guard.js';
import type { GuardOptions } from './guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer guard on every request it let through. */
    bearer?: VerifiedBearer;
  }
}

export interface FastifyGuardOptions extends GuardOptions {
  /**
   * Refuse requests that did not arrive over TLS (Fastify's `request.protocol`, which honours
   * `trustProxy` behind a TLS-terminating proxy). Bearer tokens must never travel in clear text.
   */
  requireHttps?: boolean;
}

/**
 * Mount in an encapsulated context: every route registered next to it needs a valid bearer
 * token for the configured tenant and audience.
 */
export function bearerGuard(options: FastifyGuardOptions) {
  const guard = new Guard(options);
  const requireHttps = options.requireHttps ?? true;
  const plugin = async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (requireHttps && request.protocol !== 'https') {
        return reply
          .status(403)
          .send({ error: { code: 'HttpsRequired', message: 'The request must be sent over HTTPS.' } });
      }
      try {
        request.bearer = await guard.authenticate(request.headers.authorization);
      } catch (error) {
        if (!(error instanceof GuardError)) throw error;
        return reply
          .status(error.status)
          .header('www-authenticate', error.wwwAuthenticate)
          .send(error.toJSON());
      }
    });
  };
  // Like fastify-plugin: the hook belongs to the context the guard is registered in, so it
  // covers the routes registered beside it rather than only a child scope of its own.
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
