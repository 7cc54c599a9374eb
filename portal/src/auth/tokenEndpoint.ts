import { AuthorityError } from './authorityError.js';
import { PORTAL_CLIENT_ID, authorityEndpoint } from './config.js';
import { isRecord } from './storage.js';

export interface TokenResponse {
  accessToken: string;
  /** Seconds. */
  expiresIn: number;
  refreshToken: string | undefined;
  idToken: string | undefined;
}

/**
 * One request to the authority's token endpoint as a public client (no secret): same origin, so
 * no CORS is involved. Failures come back as the authority's own message.
 */
export async function requestTokens(tenant: string, params: Record<string, string>): Promise<TokenResponse> {
  const body = new URLSearchParams({ client_id: PORTAL_CLIENT_ID, client_info: '1', ...params });
  let response: Response;
  try {
    response = await fetch(authorityEndpoint(tenant, 'token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new AuthorityError(
      'network',
      'The sign-in service could not be reached. Check that the server runs.',
    );
  }
  const json: unknown = await response.json().catch(() => undefined);
  if (!isRecord(json))
    throw new AuthorityError('invalid_response', `The token endpoint answered ${response.status}.`);
  if (!response.ok || typeof json.access_token !== 'string') {
    const description = typeof json.error_description === 'string' ? json.error_description : undefined;
    throw AuthorityError.from(typeof json.error === 'string' ? json.error : 'invalid_response', description);
  }
  return {
    accessToken: json.access_token,
    expiresIn: Number(json.expires_in) || 3600,
    refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : undefined,
    idToken: typeof json.id_token === 'string' ? json.id_token : undefined,
  };
}
