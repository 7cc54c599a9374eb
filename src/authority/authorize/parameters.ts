import type { FastifyRequest } from 'fastify';
import { aadsts } from '../errors.js';
import { parseTokenForm } from '../formBody.js';

const FORM = 'application/x-www-form-urlencoded';

/**
 * The authorization request's parameters: the query string (GET) and the form body (POST, as
 * Entra also accepts). Decoding is the token endpoint's strict one, and a parameter sent twice,
 * in the query or across query and body, is refused rather than guessed at.
 */
export function authorizeParameters(request: FastifyRequest): Map<string, string> {
  const url = request.url;
  const mark = url.indexOf('?');
  const params = parseTokenForm(FORM, mark < 0 ? '' : url.slice(mark + 1));
  if (request.method === 'POST') {
    const body = typeof request.body === 'string' ? request.body : '';
    for (const [name, value] of parseTokenForm(request.headers['content-type'], body)) {
      if (params.has(name)) throw aadsts.duplicateParameter(name);
      params.set(name, value);
    }
  }
  return params;
}

/** The fields of a sign-in page's form (always form-encoded by the browser). */
export function formFields(request: FastifyRequest): Map<string, string> {
  return parseTokenForm(
    request.headers['content-type'],
    typeof request.body === 'string' ? request.body : '',
  );
}
