import type { BlobStoreError, BlobStoreErrorCode } from './blobStore.js';
import { escapeXml } from './http/xml.js';

/**
 * The Blob service's errors: a status, a code (also sent as `x-ms-error-code`), the service's
 * message, and the extra elements some codes carry (`HeaderName`, `AuthenticationErrorDetail`, …).
 * The body is `<Error><Code/><Message/>…</Error>` with the request id and time appended to the
 * message, as the service does; a HEAD answer carries only the status and headers.
 */
export class BlobError extends Error {
  override readonly name = 'BlobError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, string>> = {},
    /** Headers that belong to the error (a 416's Content-Range). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface SerializedBlobError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The service's timestamps in error messages: ISO 8601 with seven fractional digits. */
const errorTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

export function serializeBlobError(
  error: BlobError,
  requestId: string,
  now = Date.now(),
): SerializedBlobError {
  const internal = error.status >= 500 && error.status !== 503;
  const code = internal ? 'InternalError' : error.code;
  const message = internal
    ? 'The server encountered an internal error. Please retry the request.'
    : error.message;
  const details = internal ? {} : error.details;
  const body =
    '<?xml version="1.0" encoding="utf-8"?><Error>' +
    `<Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(`${message}\nRequestId:${requestId}\nTime:${errorTime(now)}`)}</Message>` +
    Object.entries(details)
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('') +
    '</Error>';
  return {
    status: internal ? 500 : error.status,
    headers: {
      ...(internal ? {} : error.headers),
      'content-type': 'application/xml',
      'x-ms-error-code': code,
    },
    body,
  };
}

const AUTHENTICATION_FAILED =
  'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.';

/** One factory per error the endpoint answers; codes, statuses and texts follow the service. */
export const blobErrors = {
  authenticationFailed: (detail: string) =>
    new BlobError(403, 'AuthenticationFailed', AUTHENTICATION_FAILED, { AuthenticationErrorDetail: detail }),
  permissionMismatch: () =>
    new BlobError(
      403,
      'AuthorizationPermissionMismatch',
      'This request is not authorized to perform this operation using this permission.',
    ),
  keyBasedAuthenticationNotPermitted: () =>
    new BlobError(
      403,
      'KeyBasedAuthenticationNotPermitted',
      'Key based authentication is not permitted on this storage account.',
    ),
  /** An anonymous request on a private container: the service does not say the resource exists. */
  resourceNotFound: () => new BlobError(404, 'ResourceNotFound', 'The specified resource does not exist.'),
  containerNotFound: () => new BlobError(404, 'ContainerNotFound', 'The specified container does not exist.'),
  blobNotFound: () => new BlobError(404, 'BlobNotFound', 'The specified blob does not exist.'),
  missingHeader: (header: string) =>
    new BlobError(
      400,
      'MissingRequiredHeader',
      "An HTTP header that's mandatory for this request is not specified.",
      {
        HeaderName: header,
      },
    ),
  invalidHeader: (header: string, value: string) =>
    new BlobError(
      400,
      'InvalidHeaderValue',
      'The value for one of the HTTP headers is not in the correct format.',
      {
        HeaderName: header,
        HeaderValue: value,
      },
    ),
  missingQueryParameter: (name: string) =>
    new BlobError(
      400,
      'MissingRequiredQueryParameter',
      "A query parameter that's mandatory for this request is not specified.",
      { QueryParameterName: name },
    ),
  invalidQueryParameter: (name: string, value: string, reason?: string) =>
    new BlobError(
      400,
      'InvalidQueryParameterValue',
      'Value for one of the query parameters specified in the request URI is invalid.',
      reason === undefined
        ? { QueryParameterName: name, QueryParameterValue: value }
        : { QueryParameterName: name, QueryParameterValue: value, Reason: reason },
    ),
  outOfRangeQueryParameter: (name: string, value: string, min: number, max: number) =>
    new BlobError(
      400,
      'OutOfRangeQueryParameterValue',
      'One of the query parameters specified in the request URI is outside the permissible range.',
      {
        QueryParameterName: name,
        QueryParameterValue: value,
        MinimumAllowed: String(min),
        MaximumAllowed: String(max),
      },
    ),
  invalidUri: () =>
    new BlobError(400, 'InvalidUri', 'The requested URI does not represent any resource on the server.'),
  unsupportedVerb: () =>
    new BlobError(405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb."),
  invalidXml: () => new BlobError(400, 'InvalidXmlDocument', 'XML specified is not syntactically valid.'),
  invalidRange: (size: number) =>
    new BlobError(
      416,
      'InvalidRange',
      'The range specified is invalid for the current size of the resource.',
      {},
      { 'content-range': `bytes */${size}` },
    ),
  bodyTooLarge: (limit: number) =>
    new BlobError(
      413,
      'RequestBodyTooLarge',
      'The request body is too large and exceeds the maximum permissible limit.',
      {
        MaxLimit: String(limit),
      },
    ),
  invalidMetadata: () =>
    new BlobError(
      400,
      'InvalidMetadata',
      'The metadata specified is invalid. It has characters that are not permitted.',
    ),
  metadataTooLarge: () =>
    new BlobError(
      400,
      'MetadataTooLarge',
      'The size of the specified metadata exceeds the maximum size permitted.',
    ),
  conditionNotMet: () =>
    new BlobError(
      412,
      'ConditionNotMet',
      'The condition specified using HTTP conditional header(s) is not met.',
    ),
  blobAlreadyExists: () => new BlobError(409, 'BlobAlreadyExists', 'The specified blob already exists.'),
  md5Mismatch: () =>
    new BlobError(
      400,
      'Md5Mismatch',
      'The MD5 value specified in the request did not match with the MD5 value calculated by the server.',
    ),
  outOfRangeInput: () => new BlobError(400, 'OutOfRangeInput', 'One of the request inputs is out of range.'),
  incompleteBody: () => new BlobError(400, 'IncompleteBody', 'The request body is incomplete.'),
  internal: () =>
    new BlobError(
      500,
      'InternalError',
      'The server encountered an internal error. Please retry the request.',
    ),
} as const;

const STORE_ERRORS: Record<BlobStoreErrorCode, number> = {
  InvalidResourceName: 400,
  OutOfRangeInput: 400,
  RequestBodyTooLarge: 413,
  Md5Mismatch: 400,
  InvalidBlockId: 400,
  InvalidBlobOrBlock: 400,
  InvalidBlockList: 400,
  BlockListTooLong: 400,
  BlockCountExceedsLimit: 409,
  BlobNotFound: 404,
};

/** A store refusal as the service answers it. */
export function fromStoreError(error: BlobStoreError, limit?: number): BlobError {
  if (error.code === 'RequestBodyTooLarge' && limit !== undefined) return blobErrors.bodyTooLarge(limit);
  return new BlobError(STORE_ERRORS[error.code], error.code, error.message);
}
