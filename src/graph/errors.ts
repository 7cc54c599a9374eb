import { TesseraError } from '../errors.js';

/**
 * The one error type of Microsoft Graph's wire format:
 * `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}` with an
 * HTTP status. Codes and texts are Graph's own, since clients (az among them) show the message and
 * some match on it ("insufficient privileges").
 */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Headers that belong to the error (the 401 challenge). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface RequestIds {
  requestId: string;
  clientRequestId: string;
}

export interface SerializedGraphError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const GRAPH_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** Graph's innerError date: UTC without fraction or zone letter (`2024-05-14T09:28:31`). */
const innerErrorDate = (now: Date): string => now.toISOString().slice(0, 19);

/** The one serializer: nothing of a 5xx reaches the client but Graph's generic text. */
export function serializeGraphError(
  error: GraphError,
  ids: RequestIds,
  now = new Date(),
): SerializedGraphError {
  const known = error.status < 500 ? error : graphErrors.internal();
  const body = {
    error: {
      code: known.code,
      message: known.message,
      innerError: {
        date: innerErrorDate(now),
        'request-id': ids.requestId,
        'client-request-id': ids.clientRequestId,
      },
    },
  };
  return {
    status: known.status,
    headers: { ...known.headers, 'content-type': GRAPH_JSON },
    body: JSON.stringify(body),
  };
}

const e = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  new GraphError(status, code, message, headers);

const notFoundText = (id: string) =>
  `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`;

/** One factory per error the Graph surface raises, so each text is written once. */
export const graphErrors = {
  unauthenticated: (message: string, challenge: string) =>
    e(401, 'InvalidAuthenticationToken', message, { 'www-authenticate': challenge }),
  forbidden: () =>
    e(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  notFound: (id: string) => e(404, 'Request_ResourceNotFound', notFoundText(id)),
  badRequest: (message: string) => e(400, 'Request_BadRequest', message),
  /** OData-level refusals (query options, segments, payloads) use the plain code. */
  odataBadRequest: (message: string) => e(400, 'BadRequest', message),
  invalidFilter: (detail: string) => e(400, 'BadRequest', `Invalid filter clause: ${detail}`),
  unsupportedQuery: (message: string) => e(400, 'Request_UnsupportedQuery', message),
  unknownSegment: (segment: string) =>
    e(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
  methodNotAllowed: () =>
    e(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.'),
  delegatedOnly: () => e(400, 'BadRequest', '/me request is only valid with delegated authentication flow.'),
  unreadableBody: () =>
    e(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    ),
  bodyTooLarge: (limit: number) =>
    e(413, 'Request_EntityTooLarge', `The request body exceeds the limit of ${limit} bytes.`),
  unknownProperty: (property: string, type: string) =>
    e(
      400,
      'BadRequest',
      `The property '${property}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type.`,
    ),
  invalidValue: (property: string, resource: string) =>
    e(
      400,
      'Request_BadRequest',
      `Invalid value specified for property '${property}' of resource '${resource}'.`,
    ),
  readOnly: (property: string, resource: string) =>
    e(400, 'Request_BadRequest', `Property '${property}' of resource '${resource}' is read-only.`),
  required: (property: string, resource: string) =>
    e(
      400,
      'Request_BadRequest',
      `Property '${property}' of resource '${resource}' is required when creating the resource.`,
    ),
  conflict: (message: string) => e(409, 'Request_MultipleObjectsWithSameKeyValue', message),
  internal: () => e(500, 'generalException', 'An internal server error occurred.'),
};

/**
 * Status and code of each domain failure a Graph write can surface. Missing codes are still the
 * caller's fault (the directory throws TesseraError only for those): 400 Request_BadRequest.
 */
const fromDomain: Readonly<Record<string, { status: number; code: string }>> = {
  ApplicationNotFound: { status: 404, code: 'Request_ResourceNotFound' },
  UserNotFound: { status: 404, code: 'Request_ResourceNotFound' },
  GroupNotFound: { status: 404, code: 'Request_ResourceNotFound' },
  MemberNotFound: { status: 404, code: 'Request_ResourceNotFound' },
  ServicePrincipalExists: { status: 409, code: 'Request_MultipleObjectsWithSameKeyValue' },
  IdentifierUriInUse: { status: 409, code: 'Request_MultipleObjectsWithSameKeyValue' },
};

export function toGraphError(error: unknown): GraphError | undefined {
  if (error instanceof GraphError) return error;
  if (error instanceof TesseraError) {
    const mapped = fromDomain[error.code] ?? { status: 400, code: 'Request_BadRequest' };
    return new GraphError(mapped.status, mapped.code, error.message);
  }
  return undefined;
}
