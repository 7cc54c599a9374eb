/**
 * A refusal from the authority, with its own words: the first line of `error_description`
 * (`AADSTS50126: …`; the Trace ID, Correlation ID and Timestamp lines follow it).
 */
export class AuthorityError extends Error {
  override readonly name = 'AuthorityError';
  constructor(
    readonly error: string,
    message: string,
  ) {
    super(message);
  }

  static from(error: string, description: string | null | undefined): AuthorityError {
    const first = (description ?? '').split(/\r?\n/)[0]?.trim();
    return new AuthorityError(error, first || error);
  }
}
