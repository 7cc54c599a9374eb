/**
 * The one error type of the authority's wire format. `status < 500` errors are the client's
 * fault and are shown as they are; anything else is serialized as a generic server error.
 */
export class AadstsError extends Error {
  override readonly name = 'AadstsError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string,
    readonly suberror?: string,
  ) {
    super(`AADSTS${code}: ${description}`);
  }
}

const e = (status: number, error: string, code: number, description: string) =>
  new AadstsError(status, error, code, description);

const WORKLOAD_IDENTITY_DOCS = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';
const CHECK_FEDERATED_CREDENTIAL = `Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WORKLOAD_IDENTITY_DOCS}`;

// One factory per Entra code, so each message is written once.
export const aadsts = {
  tenantNotFound: (tenant: string) =>
    e(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  noTenantIdentifyingInformation: () =>
    e(
      400,
      'invalid_request',
      50059,
      'No tenant-identifying information found in either the request or implied by any provided credentials.',
    ),
  unknownInstance: () => e(400, 'invalid_instance', 50049, 'Unknown or invalid instance.'),
  applicationNotFound: (appId: string, tenantDomain: string) =>
    e(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${appId}' was not found in the directory '${tenantDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  servicePrincipalMissing: (appId: string) =>
    e(
      401,
      'invalid_client',
      7000229,
      `The client application ${appId} is missing service principal in the tenant. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
    ),
  invalidClientSecret: (appId: string) =>
    e(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
    ),
  expiredClientSecret: (appId: string) =>
    e(
      401,
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    ),
  credentialRequired: (grantType: string) =>
    e(
      401,
      'invalid_client',
      7000216,
      `'client_assertion', 'client_secret' or 'request' is required for the '${grantType}' grant type.`,
    ),
  invalidClientAssertion: (reason: string) =>
    e(401, 'invalid_client', 700027, `Client assertion failed signature validation. ${reason}`),
  clientAssertionTimeRange: (reason: string) =>
    e(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. ${reason}`),
  clientAssertionSubjectMismatch: () =>
    e(
      401,
      'invalid_client',
      700021,
      "Client assertion application identifier doesn't match 'client_id' parameter.",
    ),
  invalidClientAssertionType: () =>
    e(
      400,
      'invalid_request',
      50027,
      "Invalid client_assertion_type. The only supported value is 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
    ),
  conflictingClientIds: () =>
    e(
      400,
      'invalid_request',
      900023,
      'The client_id in the request body does not match the one in the Authorization header.',
    ),
  unsupportedGrantType: (grantType: string) =>
    e(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`),
  resourceParameterNotSupported: () =>
    e(400, 'invalid_request', 901002, "The 'resource' request parameter is not supported."),
  postOnly: (method: string) =>
    e(
      405,
      'invalid_request',
      900561,
      `The endpoint only accepts POST requests. Received a ${method} request.`,
    ),
  missingParameter: (name: string) =>
    e(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  invalidParameter: (name: string, detail: string) =>
    e(400, 'invalid_request', 90100, `The '${name}' parameter is empty or not valid. ${detail}`),
  duplicateParameter: (name: string) =>
    e(
      400,
      'invalid_request',
      9000411,
      `The request is not properly formatted. The parameter '${name}' is duplicated.`,
    ),
  tooManyParameters: (limit: number) =>
    e(
      400,
      'invalid_request',
      90004,
      `The request is not properly formatted. It has more than ${limit} parameters.`,
    ),
  bodyTooLarge: (limit: number) =>
    e(413, 'invalid_request', 90100, `The request body exceeds the limit of ${limit} bytes.`),
  malformedBody: () =>
    e(
      400,
      'invalid_request',
      90100,
      'The request body is not valid application/x-www-form-urlencoded content.',
    ),
  resourceNotFound: (resource: string, tenantDomain: string) =>
    e(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenantDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  scopeNeedsDefault: (scope: string) =>
    e(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  scopeHasSeveralResources: () =>
    e(
      400,
      'invalid_scope',
      28000,
      'Provided value for the input parameter scope is not valid because it contains more than one resource. Scope is not valid.',
    ),
  invalidScope: (scope: string) =>
    e(
      400,
      'invalid_scope',
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
    ),
  serverError: () => e(500, 'server_error', 90033, 'A transient error has occurred. Please try again.'),

  // User sign-in. 50126 is the one answer for an unknown user and a wrong password alike (Entra
  // itself says 50034 for an unknown user of ROPC, which lets anybody probe for account names).
  invalidCredentials: () =>
    e(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  accountLocked: () =>
    e(
      400,
      'invalid_grant',
      50053,
      "The account is locked, you've tried to sign in too many times with an incorrect user ID or password.",
    ),
  accountDisabled: () => e(400, 'invalid_grant', 50057, 'The user account is disabled.'),
  passwordExpired: () =>
    new AadstsError(400, 'invalid_grant', 50055, 'The password is expired.', 'user_password_expired'),
  consentRequired: (clientAppId: string, clientName: string) =>
    new AadstsError(
      400,
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientAppId}' named '${clientName}'. Send an interactive authorization request for this user and resource.`,
      'consent_required',
    ),
  scopeNotOnResource: (clientName: string, scope: string, resourceAppId: string) =>
    e(
      400,
      'invalid_client',
      650053,
      `The application '${clientName}' asked for scope '${scope}' that doesn't exist on the resource '${resourceAppId}'. Contact the app vendor.`,
    ),
  defaultScopeCombined: (scope: string) =>
    e(
      400,
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid. .default scope can't be combined with resource-specific scopes.`,
    ),
  publicClientPresentedSecret: () =>
    e(
      401,
      'invalid_client',
      700025,
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    ),
  confidentialClientCredentialRequired: () =>
    e(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),

  // Refresh tokens. `bad_token` tells MSAL to drop the refresh token and ask for a new sign-in.
  invalidRefreshToken: () =>
    new AadstsError(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.', 'bad_token'),
  refreshTokenExpired: () =>
    new AadstsError(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
      'bad_token',
    ),
  refreshTokenInactive: (issuedAt: string, inactiveFor: string) =>
    new AadstsError(
      400,
      'invalid_grant',
      700082,
      `The refresh token has expired due to inactivity. The token was issued on ${issuedAt} and was inactive for ${inactiveFor}.`,
      'bad_token',
    ),
  grantRevoked: (reason: string) =>
    new AadstsError(
      400,
      'invalid_grant',
      50173,
      `The provided grant has expired due to it being revoked, a fresh auth token is needed. ${reason}`,
      'bad_token',
    ),

  // The authorization endpoint and its pages.
  redirectUriMismatch: (redirectUri: string, appId: string) =>
    e(
      400,
      'invalid_request',
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${appId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    ),
  unsupportedResponseType: (responseType: string) =>
    e(
      400,
      'unsupported_response_type',
      70005,
      `response_type '${responseType}' is not enabled for the application.`,
    ),
  unsupportedResponseMode: (responseMode: string) =>
    e(
      400,
      'invalid_request',
      70007,
      `The response_mode '${responseMode}' is not supported with response_type 'code'. Use 'query', 'fragment' or 'form_post'.`,
    ),
  pkceRequired: () =>
    e(
      400,
      'invalid_request',
      9002325,
      "Proof Key for Code Exchange is required for public clients. Send 'code_challenge' with 'code_challenge_method' S256.",
    ),
  invalidCodeChallenge: () => e(400, 'invalid_request', 501491, 'Invalid size of Code_Challenge parameter.'),
  loginRequired: () =>
    e(
      400,
      'login_required',
      50058,
      "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to the authority, or the session ended.",
    ),
  userDeclinedConsent: () => e(400, 'access_denied', 65004, 'User declined to consent to access the app.'),
  signInFlowExpired: () =>
    e(
      400,
      'invalid_request',
      50089,
      'Authentication failed due to flow token expired. Start the sign-in again from the application.',
    ),
  signInFormForged: () =>
    e(
      400,
      'invalid_request',
      90023,
      'The sign-in form was not sent by the page this browser was given, or the browser refused cookies. Start the sign-in again from the application.',
    ),

  // Single-page applications: browser redemption across origins, as Entra polices it.
  crossOriginNotSpa: (origin: string) =>
    e(
      400,
      'invalid_request',
      9002326,
      `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin}'.`,
    ),
  spaRequiresCrossOrigin: () =>
    e(
      400,
      'invalid_request',
      9002327,
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
    ),
  spaOriginMismatch: (origin: string, spaOrigin: string) =>
    e(
      400,
      'invalid_request',
      9002326,
      `Cross-origin token redemption is permitted only from the origin of the 'Single-Page Application' redirect URI ('${spaOrigin}'). Request origin: '${origin}'.`,
    ),
  crossOriginPkceRequired: () =>
    e(
      400,
      'invalid_request',
      9002325,
      'Proof Key for Code Exchange is required for cross-origin authorization code redemption.',
    ),
  applicationDisabled: (appId: string, displayName: string) =>
    e(400, 'unauthorized_client', 7000112, `Application '${appId}'(${displayName}) is disabled.`),

  // Authorization codes (RFC 6749 §4.1.3, RFC 7636).
  invalidGrant: () => e(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.'),
  codeForOtherTenant: () =>
    e(
      400,
      'invalid_grant',
      700005,
      'Provided Authorization Code is intended to use against other tenant, thus rejected.',
    ),
  codeAlreadyRedeemed: () =>
    e(
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  codeExpired: () =>
    e(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  replyAddressMismatch: (redirectUri: string) =>
    e(
      400,
      'invalid_grant',
      500112,
      `The reply address '${redirectUri}' does not match the reply address provided when requesting Authorization code.`,
    ),
  codeVerifierMismatch: () =>
    e(
      400,
      'invalid_grant',
      50148,
      'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
    ),
  codeVerifierWithoutChallenge: () =>
    e(
      400,
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request: the authorization request supplied no code_challenge.',
    ),

  // Device authorization grant (RFC 8628). Only `authorization_pending` keeps MSAL polling.
  authorizationPending: () =>
    e(
      400,
      'authorization_pending',
      70016,
      'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
    ),
  deviceCodeExpired: () =>
    e(
      400,
      'expired_token',
      70020,
      "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
    ),
  authorizationDeclined: () =>
    e(
      400,
      'authorization_declined',
      65004,
      'User declined to consent to access the app: the sign-in was cancelled on the verification page.',
    ),
  badVerificationCode: () =>
    e(
      400,
      'invalid_grant',
      70018,
      'Invalid verification code due to User typing in wrong user code for device code flow. Authorization is not approved.',
    ),

  // Workload identity federation: a client assertion another identity provider issued, matched
  // against the application's federated identity credentials (exact, case-sensitive strings).
  noFederatedCredential: (issuer: string, subject: string, audience: string) =>
    e(
      401,
      'invalid_client',
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audience}'. ${WORKLOAD_IDENTITY_DOCS}`,
    ),
  federatedIssuerMismatch: (issuer: string) =>
    e(
      401,
      'invalid_client',
      700211,
      `No matching federated identity record found for presented assertion issuer '${issuer}'. ${CHECK_FEDERATED_CREDENTIAL}`,
    ),
  federatedAudienceMismatch: (audience: string) =>
    e(
      401,
      'invalid_client',
      700212,
      `No matching federated identity record found for presented assertion audience '${audience}'. ${CHECK_FEDERATED_CREDENTIAL}`,
    ),
  federatedSubjectMismatch: (subject: string) =>
    e(
      401,
      'invalid_client',
      700213,
      `No matching federated identity record found for presented assertion subject '${subject}'. ${CHECK_FEDERATED_CREDENTIAL}`,
    ),
  federatedSubjectCaseMismatch: (subject: string) =>
    e(
      401,
      'invalid_client',
      7002138,
      `No matching federated identity record found for presented assertion subject '${subject}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. ${CHECK_FEDERATED_CREDENTIAL}`,
    ),
  federatedUserToken: () =>
    e(
      401,
      'invalid_client',
      700229,
      'Only app-only tokens can be used as Federated Identity Credentials for Microsoft Entra issuer. Use an app-only access token (generated during a client credentials flow) instead of a user-delegated access token (representing a request coming from a user context).',
    ),
  externalIssuerUnreachable: () =>
    e(400, 'invalid_request', 50166, 'Request to External OIDC endpoint failed.'),

  // On-behalf-of (a user's access token to this client, exchanged for one to another resource).
  oboAssertionInvalid: (reason: string) =>
    e(400, 'invalid_grant', 50013, `Assertion failed signature validation. [Reason - ${reason}]`),
  oboAssertionExpired: (now: string, expiry: string) =>
    e(
      400,
      'invalid_grant',
      500133,
      `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${now}, expiry time of assertion ${expiry}.`,
    ),
  oboAudienceMismatch: (audience: string, appId: string, appName: string) =>
    e(
      400,
      'invalid_grant',
      500131,
      `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${audience}' and the expected audience is '${appId}' or one of the Application Uris of this application with App ID '${appId}'(${appName}). The downstream client must request a token for the expected audience (the application that made the OBO request) and this application should use that token as the assertion.`,
    ),
  oboAppOnlyAssertion: (appId: string) =>
    e(
      400,
      'unauthorized_client',
      7000114,
      `Application '${appId}' is not allowed to make application on-behalf-of calls.`,
    ),
};

export interface ErrorContext {
  traceId: string;
  correlationId: string;
  now: Date;
}

/** `2016-01-09 02:02:12Z`, Entra's timestamp format. */
export const entraTimestamp = (d: Date): string => `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;

/** The only place an authority error becomes a body: 5xx never carries the internal message. */
export function serializeAadstsError(err: AadstsError, context: ErrorContext): Record<string, unknown> {
  const safe = err.status >= 500 ? aadsts.serverError() : err;
  const timestamp = entraTimestamp(context.now);
  return {
    error: safe.error,
    error_description: `AADSTS${safe.code}: ${safe.description}\r\nTrace ID: ${context.traceId}\r\nCorrelation ID: ${context.correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [safe.code],
    timestamp,
    trace_id: context.traceId,
    correlation_id: context.correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${safe.code}`,
    ...(safe.suberror ? { suberror: safe.suberror } : {}),
  };
}
