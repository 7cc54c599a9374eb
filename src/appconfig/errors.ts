/**
 * The one error type of App Configuration's data plane. Most errors are RFC 7807 problems
 * (`application/problem+json`, with the service's type URIs); some statuses carry no body at all
 * on the real service (401 with its challenge, 403, 404, 412), and are answered the same way here.
 */

const TYPE = 'https://azconfig.io/errors';

export const problemTypes = {
  invalidArgument: `${TYPE}/invalid-argument`,
  keyLocked: `${TYPE}/key-locked`,
  alreadyExists: `${TYPE}/already-exists`,
  invalidState: `${TYPE}/invalid-state`,
  // Not documented: the service answers oversized key-values with a bare 413; the body says why.
  requestTooLarge: `${TYPE}/request-too-large`,
  serverError: `${TYPE}/server-error`,
} as const;

export interface Problem {
  type: string;
  title: string;
  name?: string;
  detail?: string;
}

export class AppConfigError extends Error {
  override readonly name = 'AppConfigError';
  constructor(
    readonly status: number,
    /** The problem document; none for statuses the service answers with an empty body. */
    readonly problem?: Problem,
    /** Headers that belong to the error: the 401 challenge. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem ? [problem.title, problem.detail].filter(Boolean).join(': ') : `HTTP ${status}`);
  }
}

export interface SerializedError {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The one serializer: nothing of a 5xx reaches the client but its status. */
export function serializeAppConfigError(error: AppConfigError): SerializedError {
  if (error.status >= 500) {
    const body = { type: problemTypes.serverError, title: 'Internal server error', status: 500 };
    return {
      status: 500,
      headers: { 'content-type': PROBLEM_CONTENT_TYPE },
      body: JSON.stringify(body),
    };
  }
  if (!error.problem) return { status: error.status, headers: { ...error.headers } };
  const { type, title, name, detail } = error.problem;
  const body = { type, title, ...(name !== undefined ? { name } : {}), detail, status: error.status };
  return {
    status: error.status,
    headers: { ...error.headers, 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(body),
  };
}

const invalidArgument = (name: string, detail: string): AppConfigError =>
  new AppConfigError(400, {
    type: problemTypes.invalidArgument,
    title: `Invalid request parameter '${name}'`,
    name,
    detail,
  });

const apiVersionProblem = (title: string, detail: string): AppConfigError =>
  new AppConfigError(400, { type: problemTypes.invalidArgument, title, name: 'api-version', detail });

const doesNotSupport = (uri: string, version: string) =>
  `The HTTP resource that matches the request URI '${uri}' does not support the API version '${version}'.`;

/** One factory per error the data plane raises, so each text is written once. */
export const appConfigErrors = {
  invalidArgument,
  /** Filter syntax: the position is 0-based, into the parameter's decoded value. */
  invalidCharacter: (name: string, position: number) =>
    invalidArgument(name, `${name}(${position}): Invalid character`),
  apiVersionMissing: () =>
    apiVersionProblem('API version is not specified', 'An API version is required, but was not specified.'),
  apiVersionUnsupported: (uri: string, version: string) =>
    apiVersionProblem('Unsupported API version', doesNotSupport(uri, version)),
  apiVersionInvalid: (uri: string, version: string) =>
    apiVersionProblem('Invalid API version', doesNotSupport(uri, version)),
  apiVersionAmbiguous: (versions: readonly string[]) =>
    apiVersionProblem(
      'Ambiguous API version',
      `The following API versions were requested: ${versions.join(', ')}. At most, only a single API version may be specified. Please update the intended API version and retry the request.`,
    ),
  // "Modifing" is the service's own spelling; clients may match on it.
  keyLocked: (key: string) =>
    new AppConfigError(409, {
      type: problemTypes.keyLocked,
      title: `Modifing key '${key}' is not allowed`,
      name: key,
      detail: 'The key is read-only. To allow modification unlock it first.',
    }),
  alreadyExists: () =>
    new AppConfigError(409, {
      type: problemTypes.alreadyExists,
      title: 'The resource already exists.',
      detail: '',
    }),
  invalidState: () =>
    new AppConfigError(409, {
      type: problemTypes.invalidState,
      title: 'Target resource state invalid.',
      detail: 'The target resource is not in a valid state to perform the requested operation.',
    }),
  tooLarge: (limit: number) =>
    new AppConfigError(413, {
      type: problemTypes.requestTooLarge,
      title: 'Request entity too large',
      detail: `The key-value (key, label, value and attributes) exceeds the limit of ${limit} bytes.`,
    }),
  bodyTooLarge: (limit: number) =>
    new AppConfigError(413, {
      type: problemTypes.requestTooLarge,
      title: 'Request entity too large',
      detail: `The request body exceeds the limit of ${limit} bytes.`,
    }),
  unauthorized: (challenge: string) => new AppConfigError(401, undefined, { 'www-authenticate': challenge }),
  forbidden: () => new AppConfigError(403),
  notFound: () => new AppConfigError(404),
  methodNotAllowed: () => new AppConfigError(405),
  preconditionFailed: () => new AppConfigError(412),
  internal: () => new AppConfigError(500),
};
