/**
 * A failure of an admin operation (CLI or management code) that is the caller's fault.
 * Wire formats (AADSTS, ARM, problem+json) have their own error classes; this one carries a
 * stable code so the CLI can print it as az does and exit non-zero.
 */
export class TesseraError extends Error {
  override readonly name = 'TesseraError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const isGuid = (value: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
