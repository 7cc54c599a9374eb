import type { TokenVersion } from '../issuers.js';

export type Prompt = 'login' | 'none' | 'select_account' | 'consent';
export type ResponseMode = 'query' | 'fragment' | 'form_post';

/**
 * A validated authorization request, as a pending sign-in keeps it (JSON). Types only, apart from
 * the validation that makes them, so the stores that keep requests depend on nothing above them.
 */
export interface AuthorizationRequest {
  endpoint: TokenVersion;
  /** The `/{tenant}` segment as the client wrote it, and the tenant (null for meta-tenants). */
  tenantSegment: string;
  tenantId: string | null;
  clientId: string;
  clientName: string;
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | null;
  /** As a scope string: v1's `resource` becomes `<resource>/.default` (+ OIDC scopes). */
  scope: string;
  nonce: string | null;
  prompt: Prompt | null;
  loginHint: string | null;
  domainHint: string | null;
  /** S256 only: plain is refused at the door. */
  codeChallenge: string | null;
  clientInfo: boolean;
}

/** Where the answer goes once the redirect URI is known to be the app's. */
export interface ResponseTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | null;
}
