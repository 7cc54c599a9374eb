import type { TokenResponse } from '../context.js';
import type { TokenVersion } from '../issuers.js';
import type { IssuedAccessToken } from './accessToken.js';

/**
 * v2 endpoint: numbers. v1 endpoint: Entra's historical shape with string numbers,
 * `expires_on`, `not_before` and the `resource` that was asked for.
 */
export function tokenResponse(
  endpoint: TokenVersion,
  issued: IssuedAccessToken,
  resource: string,
  extra: TokenResponse = {},
): TokenResponse {
  if (endpoint === 2) {
    return {
      token_type: 'Bearer',
      expires_in: issued.lifetime,
      ext_expires_in: issued.lifetime,
      access_token: issued.token,
      ...extra,
    };
  }
  return {
    token_type: 'Bearer',
    expires_in: String(issued.lifetime),
    ext_expires_in: String(issued.lifetime),
    expires_on: String(issued.expiresAt),
    not_before: String(issued.notBefore),
    resource,
    access_token: issued.token,
    ...extra,
  };
}
