/**
 * A refusal from one of the APIs, as it said it: ARM's and Graph's `{"error":{"code","message"}}`,
 * App Configuration's problem+json `{"type","title","detail"}`, Media Services' OData
 * `{"odata.error":{"code","message":{"value"}}}` (the message is what the portal shows, so a
 * person reads what the API decided, not a guess).
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
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const error = record['error'] ?? record['odata.error'];
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      // OData v3 wraps the text: {"lang":"en-US","value":"…"}.
      const text =
        typeof message === 'object' && message !== null ? (message as { value?: unknown }).value : message;
      if (typeof text === 'string' && text) {
        return new ApiError(status, typeof code === 'string' ? code : 'Error', text);
      }
    }
    const { title, detail, type } = record;
    if (typeof detail === 'string' || typeof title === 'string') {
      const code = typeof type === 'string' ? (type.split('/').pop() ?? 'Error') : 'Error';
      return new ApiError(status, code, typeof detail === 'string' && detail ? detail : String(title));
    }
  }
  return new ApiError(status, 'Error', `The server answered ${status} with no error message.`);
}
