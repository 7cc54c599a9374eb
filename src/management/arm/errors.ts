import { TesseraError } from '../../errors.js';

/**
 * The one error type of ARM's wire format: `{"error":{"code","message"}}` with an HTTP status.
 * Anything thrown that is not an ArmError or a TesseraError is a bug, answered as a generic 500.
 */
export class ArmError extends Error {
  override readonly name = 'ArmError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Response headers that belong to the error (the 401 challenge). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface ArmErrorBody {
  error: { code: string; message: string };
}

export function serializeArmError(error: ArmError): ArmErrorBody {
  if (error.status >= 500) {
    return { error: { code: 'InternalServerError', message: 'The server encountered an internal error.' } };
  }
  return { error: { code: error.code, message: error.message } };
}

/**
 * HTTP status of each domain failure the management API can surface. A code missing here is
 * still the caller's fault (the domain throws TesseraError only for those), hence 400.
 */
const statusOfCode: Readonly<Record<string, number>> = {
  SubscriptionNotFound: 404,
  ResourceGroupNotFound: 404,
  ResourceNotFound: 404,
  RoleAssignmentNotFound: 404,
  DenyAssignmentNotFound: 404,
  GroupNotFound: 404,
  RoleAssignmentExists: 409,
  RoleDefinitionWithSameNameExists: 409,
  RoleDefinitionHasAssignments: 409,
  NameUnavailable: 409,
  InvalidResourceGroupLocation: 409,
  InvalidResourceLocation: 409,
  MemberAlreadyExists: 400,
};

export function armErrorFromTessera(error: TesseraError): ArmError {
  return new ArmError(statusOfCode[error.code] ?? 400, error.code, error.message);
}

export function toArmError(error: unknown): ArmError | undefined {
  if (error instanceof ArmError) return error;
  if (error instanceof TesseraError) return armErrorFromTessera(error);
  return undefined;
}

const e = (status: number, code: string, message: string) => new ArmError(status, code, message);

// One factory per ARM error the wire layer raises itself, so each message is written once.
export const armErrors = {
  missingApiVersion: () =>
    e(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    ),
  invalidApiVersion: (version: string, supported: readonly string[]) =>
    e(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${version}' is invalid. The supported versions are '${supported.join(',')}'.`,
    ),
  invalidRequestContent: (detail: string) =>
    e(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: '${detail}'.`,
    ),
  invalidRequestFormat: (detail: string) =>
    e(400, 'InvalidRequestFormat', `Cannot parse the request. ${detail}`),
  unsupportedMediaType: (contentType: string) =>
    e(
      415,
      'UnsupportedMediaType',
      `The content media type '${contentType}' is not supported. Only 'application/json' is supported.`,
    ),
  requestTooLarge: (limit: number) =>
    e(413, 'RequestEntityTooLarge', `The request content size exceeds the maximum of ${limit} bytes.`),
  notFound: (path: string) => e(404, 'NotFound', `The requested path '${path}' was not found.`),
  invalidResourceNamespace: (namespace: string) =>
    e(404, 'InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`),
  invalidResourceType: (type: string, namespace: string, apiVersion: string) =>
    e(
      404,
      'InvalidResourceType',
      `The resource type '${type}' could not be found in the namespace '${namespace}' for api version '${apiVersion}'.`,
    ),
  methodNotAllowed: (method: string) =>
    e(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`),
  subscriptionNotFound: (subscriptionId: string) =>
    e(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`),
  invalidSubscriptionId: (subscriptionId: string) =>
    e(
      400,
      'InvalidSubscriptionId',
      `The provided subscription identifier '${subscriptionId}' is malformed or invalid.`,
    ),
  locationRequired: () =>
    e(400, 'LocationRequired', 'The location property is required for this definition.'),
  internal: () => e(500, 'InternalServerError', 'The server encountered an internal error.'),
};
