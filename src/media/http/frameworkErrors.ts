import type { FastifyError } from 'fastify';
import { mediaErrors, serializeMediaError } from '../errors.js';
import type { SerializedMediaError } from '../errors.js';
import { negotiateFormat } from '../odata/format.js';

/** Fastify's own refusals (a path it cannot decode) of a request below /media/, as an OData error. */
export function mediaFrameworkError(error: FastifyError, accept: string | undefined): SerializedMediaError {
  const known =
    error.code === 'FST_ERR_BAD_URL'
      ? mediaErrors.badRequest('The request path is not correctly percent-encoded.')
      : mediaErrors.badRequest('The request could not be read.');
  return serializeMediaError(known, negotiateFormat(accept));
}
