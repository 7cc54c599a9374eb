import type { FastifyReply } from 'fastify';
import { appConfigErrors } from '../errors.js';
import { PATH_PREFIX, storeOfHost } from './hostStyle.js';
import type { OperationContext, RequestContext } from './operation.js';
import type { QueryParameters } from './query.js';
import { httpDate, parseAcceptDatetime } from './wireTime.js';

const NUL = '\u0000';

/**
 * The name in the rest of the path (`/kv/{key}`, `/snapshots/{name}`): everything after the
 * prefix, decoded once. SDK 1.13 encodes `/` as %2F while 1.12 sends it as is; both arrive whole.
 */
export function nameInPath(context: RequestContext, prefix: string, parameter: string): string {
  const raw = context.resourcePath.slice(prefix.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw appConfigErrors.invalidArgument(parameter, `${parameter}: Invalid percent-encoding`);
  }
}

/** A single item's label: omitted, empty or `\0` is the null label; anything else is literal. */
export function itemLabel(query: QueryParameters): string | null {
  const label = query.one('label');
  return label === undefined || label === '' || label === NUL ? null : label;
}

/**
 * Accept-Datetime (time travel): the state as it was then, in epoch seconds. The response says
 * which moment it shows in Memento-Datetime.
 */
export function acceptDatetime(headers: Record<string, unknown>, reply: FastifyReply): number | undefined {
  const header = headers['accept-datetime'];
  if (typeof header !== 'string') return undefined;
  const asOf = parseAcceptDatetime(header);
  if (asOf === undefined) {
    throw appConfigErrors.invalidArgument('Accept-Datetime', `Accept-Datetime: '${header}' is not a date`);
  }
  reply.header('memento-datetime', httpDate(asOf));
  return asOf;
}

/** The store's endpoint as this client addresses it: Operation-Location points back to it. */
export function endpointOf(context: OperationContext): string {
  const host = context.request.headers.host;
  if (storeOfHost(host) !== undefined) return `https://${host}`;
  const { port } = context.store;
  // Rewritten from the store's own origin (its port): the original URL has no store prefix.
  if (port !== null && !context.request.originalUrl.startsWith(`${PATH_PREFIX}/`)) {
    return context.origins.onPort(host, port);
  }
  return `${context.origins.fromHost(host)}${PATH_PREFIX}/${context.storeSegment}`;
}
