import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { BodyTooLargeError, readBody } from '../net/bodyReader.js';
import { aadsts } from './errors.js';

/** Client assertions with an x5c chain are a few KB; 64 KiB leaves room and bounds abuse. */
export const TOKEN_BODY_LIMIT = 64 * 1024;

/**
 * Token and authorization requests carry about fifteen parameters; a hundred leaves room for
 * clients' extra query parameters and bounds the work a form can ask for.
 */
export const MAX_FORM_PARAMETERS = 100;

const FORM = 'application/x-www-form-urlencoded';

/**
 * A form body as text, at most `limit` bytes: a larger Content-Length is refused unread (413 in
 * Entra's shape), a chunked body cut off there. The content-type parser of every authority route.
 */
export async function readFormBody(
  request: FastifyRequest,
  payload: Readable,
  limit: number,
): Promise<string> {
  try {
    return (await readBody(payload, request.headers['content-length'], limit)).toString('utf8');
  } catch (error) {
    throw error instanceof BodyTooLargeError ? aadsts.bodyTooLarge(error.limit) : error;
  }
}

/**
 * Token endpoints read only form bodies, as Entra does: any other content type reads as an
 * empty form, so the client hears which parameter is missing rather than a parser error.
 * Decoding is strict (URLSearchParams would quietly turn bad escapes into U+FFFD, and a
 * secret altered that way must not reach the comparison as if it had been sent). Every parameter
 * is single-valued: one sent twice is Entra's 9000411, never a guess at which one was meant.
 * One pass over the text, each pair decoded once: the cost is linear in the body, and a form of
 * more than MAX_FORM_PARAMETERS pairs is refused at the first one past it.
 */
export function parseTokenForm(contentType: string | undefined, body: string): Map<string, string> {
  const params = new Map<string, string>();
  if (!contentType?.toLowerCase().startsWith(FORM)) return params;
  let start = 0;
  while (start < body.length) {
    const ampersand = body.indexOf('&', start);
    const end = ampersand < 0 ? body.length : ampersand;
    if (end > start) {
      if (params.size === MAX_FORM_PARAMETERS) throw aadsts.tooManyParameters(MAX_FORM_PARAMETERS);
      // Searched within the pair: a search of the whole rest would make `a&b&c…` quadratic.
      const pair = body.slice(start, end);
      const eq = pair.indexOf('=');
      const name = decode(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
      if (params.has(name)) throw aadsts.duplicateParameter(name);
      params.set(name, value);
    }
    start = end + 1;
  }
  return params;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw aadsts.malformedBody();
  }
}
