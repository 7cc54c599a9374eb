import type { Directory } from '../directory/directory.js';
import type { Tenant } from '../directory/model.js';
import type { PublicOrigins } from '../server/origins.js';
import type { TokenVersion } from './issuers.js';
import type { SignInServices } from './signIn/signInServices.js';
import type { SigningKeys } from './tokens/signingKeys.js';

/** Resources named by one of Tessera's own origins (the server's, a store's, an account's). */
export interface OriginResourceDirectory {
  /** The app id of the first-party resource an origin names, if it names one. */
  appIdOf(resource: string): Promise<string | undefined>;
}

export interface AuthorityServices {
  directory: Directory;
  keys: SigningKeys;
  origins: PublicOrigins;
  signIns: SignInServices;
  originResources?: OriginResourceDirectory;
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
  /**
   * The `Origin` of a browser page on another origin (crossOrigin.ts); undefined for same-origin
   * and non-browser callers. Only a single-page application's redemptions are answered then.
   */
  crossOrigin?: string;
  /** The caller's address, for the sign-in log (and `ipaddr` in v1 user tokens). */
  ip: string;
  /** The client-request-id (or a fresh GUID): the sign-in log's correlation id. */
  correlationId: string;
  now: number;
}

/** Fields of a token response; numbers are strings on the v1 endpoint, as Entra sends them. */
export type TokenResponse = Record<string, string | number>;
