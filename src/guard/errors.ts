/** Why a bearer token was refused: stable codes a service maps onto its own challenge text. */
export type TokenRejection =
  | 'missing'
  | 'malformed'
  | 'unsupported_algorithm'
  | 'forbidden_header'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_claim'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'not_an_access_token';

export class TokenValidationError extends Error {
  override readonly name = 'TokenValidationError';
  constructor(
    readonly code: TokenRejection,
    message: string,
    /** Claims already known when the check failed (issuer, audience, expiry) for the error text. */
    readonly details: { iss?: string; aud?: string; exp?: number; tid?: string } = {},
  ) {
    super(message);
  }
}
