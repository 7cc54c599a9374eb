import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PublicOrigins } from '../server/origins.js';
import { armErrors, serializeArmError, toArmError } from './arm/errors.js';
import { setRequestIds } from './arm/requestIds.js';
import { cloudEndpoints, legacyCloudEndpoints } from './cloudMetadata.js';

/**
 * What each api-version of the metadata endpoint answers, as ARM does: the first version is the
 * legacy document; 2019-05-01 and 2020-06-01 list the clouds (az's `ARM_CLOUD_METADATA_URL`,
 * Terraform's environment lookup); 2022-09-01 is the one cloud alone (go-azure-sdk).
 */
type Document = (origin: string, graphOrigin?: string) => unknown;
const documents: ReadonlyMap<string, Document> = new Map<string, Document>([
  ['2022-09-01', cloudEndpoints],
  ['2020-06-01', (origin, graphOrigin) => [cloudEndpoints(origin, graphOrigin)]],
  ['2019-05-01', (origin, graphOrigin) => [cloudEndpoints(origin, graphOrigin)]],
  ['2015-01-01', legacyCloudEndpoints],
]);

/**
 * `GET /metadata/endpoints`, anonymous as in Azure. az asks for `//metadata/endpoints` (the ARM
 * endpoint's trailing slash plus the path); the router folds doubled slashes.
 */
export async function cloudMetadataPlugin(
  app: FastifyInstance,
  opts: { origins: PublicOrigins; /** Microsoft Graph's own port, when it has one. */ graphPort?: number },
): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    const wire = toArmError(error) ?? armErrors.internal();
    if (wire.status >= 500) request.log.error({ err: error }, 'cloud metadata request failed');
    return reply.status(wire.status).headers(wire.headers).send(serializeArmError(wire));
  });

  app.get(
    '/metadata/endpoints',
    async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
      setRequestIds(request, reply);
      const raw = request.query['api-version'];
      const version = Array.isArray(raw) ? raw[0] : raw;
      if (typeof version !== 'string' || version === '') throw armErrors.missingApiVersion();
      const document = documents.get(version);
      if (!document) throw armErrors.invalidApiVersion(version, [...documents.keys()]);
      const { host } = request.headers;
      const graphOrigin =
        opts.graphPort === undefined ? undefined : opts.origins.onPort(host, opts.graphPort);
      return document(opts.origins.fromHost(host), graphOrigin);
    },
  );
}
