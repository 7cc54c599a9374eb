/**
 * A refusal from one of the APIs, as it said it: ARM's and Graph's `{"error":{"code","message"}}`
 * (the message is what the portal shows, so a person reads what the API decided, not a guess).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The error an API's response body names, or a plain one for a body that names none. */
export function apiErrorOf(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      if (typeof message === 'string' && message) {
        return new ApiError(status, typeof code === 'string' ? code : 'Error', message);
      }
    }
  }
  return new ApiError(status, 'Error', `The server answered ${status} with no error message.`);
}
