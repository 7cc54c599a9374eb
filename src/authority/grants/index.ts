import type { TokenRequest, TokenResponse } from '../context.js';
import * as authorizationCode from './authorization_code.js';
import * as clientCredentials from './client_credentials.js';
import * as deviceCode from './device_code.js';
import * as jwtBearer from './jwtBearer.js';
import * as password from './password.js';
import * as refreshToken from './refresh_token.js';

/** The shape of a grant module: node-oidc-provider's handler + parameters + grant type names. */
export interface Grant {
  grantTypes: readonly string[];
  parameters: ReadonlySet<string>;
  handler(request: TokenRequest): Promise<TokenResponse>;
  /** Set by the grants a single-page application redeems from the browser, cross-origin. */
  crossOriginRedemption?: boolean;
}

const grants: readonly Grant[] = [
  clientCredentials,
  password,
  refreshToken,
  authorizationCode,
  deviceCode,
  jwtBearer,
];

const byType = new Map<string, Grant>();
for (const grant of grants) for (const type of grant.grantTypes) byType.set(type, grant);

export const findGrant = (grantType: string): Grant | undefined => byType.get(grantType);
