import type { ResponseFormat } from './odata/format.js';
import { CONTENT_TYPES } from './odata/format.js';

/**
 * The one error type of the Media Services v2 REST API: an HTTP status, an OData error code and
 * message, and the headers that belong to the error (the 401 challenge). Serialized in the
 * dialect the client asked for (`serializeMediaError`). The blob endpoint has its own XML errors
 * (blobs/errors.ts).
 */
export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface SerializedMediaError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const escapeXml = (text: string): string => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** OData v3's error documents; nothing of an unexpected failure reaches the client but its status. */
export function serializeMediaError(error: MediaError, format: ResponseFormat): SerializedMediaError {
  const code = error.status >= 500 && error.status !== 503 ? 'InternalError' : error.code;
  const message = error.status >= 500 && error.status !== 503 ? 'An internal error occurred.' : error.message;
  const headers: Record<string, string> = { ...error.headers, dataserviceversion: '3.0;' };
  const inner = { code, message: { lang: 'en-US', value: message } };
  if (format === 'atom') {
    headers['content-type'] = 'application/xml;charset=utf-8';
    const body =
      '<?xml version="1.0" encoding="utf-8"?>' +
      '<m:error xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">' +
      `<m:code>${escapeXml(code)}</m:code><m:message xml:lang="en-US">${escapeXml(message)}</m:message></m:error>`;
    return { status: error.status, headers, body };
  }
  headers['content-type'] = CONTENT_TYPES[format];
  const body = format === 'verbose' ? { error: inner } : { 'odata.error': inner };
  return { status: error.status, headers, body: JSON.stringify(body) };
}

const quote = (value: string): string => `'${value}'`;

/** One factory per error the API answers; codes and texts follow the service. */
export const mediaErrors = {
  unauthorized: (challenge: string) =>
    new MediaError(401, 'Unauthorized', 'The remote server returned an error: (401) Unauthorized.', {
      'www-authenticate': challenge,
    }),
  missingVersion: () =>
    new MediaError(
      400,
      'BadRequest',
      'The request must carry an x-ms-version header (or an api-version query parameter) with a 2.x version.',
    ),
  unsupportedVersion: (version: string) =>
    new MediaError(
      400,
      'BadRequest',
      `The x-ms-version ${quote(version)} is not supported; use a 2.x version.`,
    ),
  badRequest: (message: string) => new MediaError(400, 'BadRequest', message),
  invalidProperty: (property: string, reason: string) =>
    new MediaError(400, 'BadRequest', `Invalid value for property ${quote(property)}: ${reason}`),
  unknownProperty: (entityType: string, property: string) =>
    new MediaError(
      400,
      'BadRequest',
      `The property ${quote(property)} does not exist on type ${quote(`Microsoft.Cloud.Media.Vod.Rest.Data.Models.${entityType}`)}. Make sure to only use property names that are defined by the type.`,
    ),
  missingProperty: (property: string) =>
    new MediaError(400, 'BadRequest', `The required property ${quote(property)} is missing or null.`),
  writeOnce: (property: string) =>
    new MediaError(400, 'BadRequest', `The property ${quote(property)} cannot be changed once it is set.`),
  unsupportedQuery: (message: string) => new MediaError(400, 'BadRequest', message),
  invalidQuery: (option: string, message: string) =>
    new MediaError(400, 'BadRequest', `Invalid ${option} expression: ${message}`),
  malformedBody: (message: string) =>
    new MediaError(400, 'BadRequest', `The request body could not be read: ${message}`),
  bodyTooLarge: (limit: number) =>
    new MediaError(413, 'RequestEntityTooLarge', `The request body is larger than ${limit} bytes.`),
  invalidKey: (segment: string) =>
    new MediaError(400, 'BadRequest', `Invalid key in the resource path: ${quote(segment)}.`),
  forbidden: (message: string) => new MediaError(403, 'Forbidden', message),
  notFound: (what = 'Resource not found for the segment.') => new MediaError(404, 'ResourceNotFound', what),
  entityNotFound: (set: string, id: string) =>
    new MediaError(
      404,
      'ResourceNotFound',
      `Resource not found for the segment ${quote(`${set}(${quote(id)})`)}.`,
    ),
  methodNotAllowed: (method: string) =>
    new MediaError(
      405,
      'MethodNotAllowed',
      `The HTTP method ${quote(method)} is not allowed on this resource.`,
    ),
  conflict: (message: string) => new MediaError(409, 'Conflict', message),
  unsupportedMediaType: (type: string) =>
    new MediaError(415, 'UnsupportedMediaType', `The content type ${quote(type)} is not supported.`),
  busy: () =>
    new MediaError(503, 'ServerBusy', 'Server is busy. Please try again later.', { 'retry-after': '5' }),
  internal: () => new MediaError(500, 'InternalError', 'An internal error occurred.'),
} as const;
