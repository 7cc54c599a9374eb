/**
 * A refusal by a managed identity endpoint, before Entra is involved. The two protocols answer in
 * their own shapes: App Service `{"statusCode","message","correlationId"}`, IMDS
 * `{"error","error_description"}`. msal-node reads `message` or `error_description` as the
 * error's description. Failures of the token request itself (an unknown resource) are Entra's
 * AADSTS JSON on both, as the real endpoints pass Entra's answer through.
 */
export class ManagedIdentityEndpointError extends Error {
  override readonly name = 'ManagedIdentityEndpointError';
  constructor(
    readonly status: number,
    /** IMDS's `error` code. */
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

const e = (status: number, error: string, message: string) =>
  new ManagedIdentityEndpointError(status, error, message);

// 400s, not 404 or 5xx: @azure/identity retries those (IMDS 404 and 410 for up to a minute).
export const appServiceErrors = {
  secretHeaderMissing: () => e(400, 'invalid_request', 'The X-IDENTITY-HEADER header is required.'),
  secretHeaderInvalid: () =>
    e(401, 'invalid_request', 'The X-IDENTITY-HEADER header does not match the secret of any identity host.'),
  apiVersionMissing: () => e(400, 'invalid_request', "The 'api-version' query parameter is required."),
  apiVersionUnsupported: (version: string) =>
    e(
      400,
      'invalid_request',
      `The api-version '${version}' is not supported. The supported version is '2019-08-01'.`,
    ),
  resourceMissing: () => e(400, 'invalid_request', "The 'resource' query parameter is required."),
  identityNotFound: () => e(400, 'invalid_request', 'Unable to load the proper Managed Identity.'),
};

export const imdsErrors = {
  notFound: () => e(404, 'not_found', 'The requested path was not found.'),
  methodNotAllowed: (method: string) =>
    e(405, 'invalid_request', `The HTTP method '${method}' is not allowed. Use GET.`),
  metadataHeaderMissing: () => e(400, 'invalid_request', 'Required metadata header not specified'),
  forwardedRequest: () => e(400, 'invalid_request', 'Request contains X-Forwarded-For header'),
  apiVersionMissing: () => e(400, 'invalid_request', "Required query variable 'api-version' is missing"),
  apiVersionUnsupported: () => e(400, 'invalid_request', 'Invalid api-version'),
  resourceMissing: () => e(400, 'invalid_request', 'Required audience parameter not specified'),
  identityNotFound: () => e(400, 'invalid_request', 'Identity not found'),
  severalUserAssigned: () =>
    e(
      400,
      'invalid_request',
      'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request',
    ),
};

/** Both protocols: a query parameter given twice is refused rather than one of them guessed. */
export const duplicateParameter = (name: string) =>
  e(400, 'invalid_request', `The '${name}' query parameter was given more than once.`);

/** Both protocols: at most one way of naming a user-assigned identity. */
export const severalSelectors = () =>
  e(
    400,
    'invalid_request',
    "Only one of 'client_id', 'object_id' (or 'principal_id') and 'mi_res_id' (or 'msi_res_id') may be specified.",
  );

export const serializeAppServiceError = (error: ManagedIdentityEndpointError, correlationId: string) => ({
  statusCode: error.status,
  message: error.message,
  correlationId,
});

export const serializeImdsError = (error: ManagedIdentityEndpointError) => ({
  error: error.error,
  error_description: error.message,
});
