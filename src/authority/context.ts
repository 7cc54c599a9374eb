import type { Directory } from '../directory/directory.js';
import type { Tenant } from '../directory/model.js';
import type { PublicOrigins } from '../server/origins.js';
import type { TokenVersion } from './issuers.js';
import type { SigningKeys } from './tokens/signingKeys.js';

export interface AuthorityServices {
  directory: Directory;
  keys: SigningKeys;
  origins: PublicOrigins;
}

/** `/{tenant}/…`: a concrete tenant, or one of Entra's meta-tenants resolved later by the flow. */
export type TenantSegment =
  | { kind: 'tenant'; tenant: Tenant; segment: string }
  | { kind: 'meta'; name: 'common' | 'organizations' | 'consumers'; segment: string };

export interface TokenRequest {
  services: AuthorityServices;
  tenant: TenantSegment;
  params: ReadonlyMap<string, string>;
  /** Which token endpoint was called: v1 `/oauth2/token` or v2 `/oauth2/v2.0/token`. */
  endpoint: TokenVersion;
  origin: string;
  authorization: string | undefined;
  now: number;
}

/** Fields of a token response; numbers are strings on the v1 endpoint, as Entra sends them. */
export type TokenResponse = Record<string, string | number>;
