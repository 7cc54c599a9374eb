import type { Resource } from '../auth/config.js';
import { accountStore } from '../auth/accounts.js';
import { beginSignIn } from '../auth/signIn.js';
import { SignInRequired, accessToken, tokenCache } from '../auth/tokens.js';
import { ApiError, apiErrorOf } from './apiError.js';

export interface ApiRequest {
  method?: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE' | 'HEAD' | 'MERGE';
  /** Sent as JSON, with the content type below if one is given (App Configuration's own types). */
  body?: unknown;
  /** More headers: If-Match, App Configuration's Accept-Datetime, Media Services' OData versions. */
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  /** The response's headers (ETag, Sync-Token, Location, Operation-Location…). */
  headers: Headers;
}

/**
 * One call to an API on this origin with the signed-in person's token for it. A 401 is retried
 * once with a fresh token (the cached one may have been revoked); any other refusal is thrown
 * as the API's own error.
 */
export async function callApi(
  resource: Resource,
  path: string,
  request: ApiRequest = {},
): Promise<ApiResponse> {
  for (let attempt = 0; ; attempt++) {
    const token = await tokenFor(resource);
    // Headers, not a record: a caller's 'Content-Type' replaces the default rather than joining it.
    const headers = new Headers({ accept: 'application/json' });
    if (request.body !== undefined) headers.set('content-type', 'application/json');
    for (const [name, value] of Object.entries(request.headers ?? {})) headers.set(name, value);
    headers.set('authorization', `Bearer ${token}`);
    let response: Response;
    try {
      response = await fetch(new URL(path, location.origin), {
        method: request.method ?? 'GET',
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(
        0,
        'NetworkError',
        'The server could not be reached. Check that it runs, then try again.',
      );
    }
    const text = await response.text();
    const body: unknown = text ? parseJson(text) : undefined;
    if (response.ok) return { status: response.status, body, headers: response.headers };
    const tenantId = accountStore.active()?.tenantId;
    if (response.status === 401 && attempt === 0 && tenantId) {
      tokenCache.drop(tenantId, resource);
      continue;
    }
    throw apiErrorOf(response.status, body);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A refresh token the authority no longer takes (signed out elsewhere, password changed) sends the
 * person through sign-in again, where the SSO session, if it still lives, answers without a page.
 */
async function tokenFor(resource: Resource): Promise<string> {
  try {
    return await accessToken(resource);
  } catch (error) {
    if (error instanceof SignInRequired) {
      void beginSignIn({ tenant: error.tenantId || 'organizations', loginHint: error.username });
    }
    throw error;
  }
}
