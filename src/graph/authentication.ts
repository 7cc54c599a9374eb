import type { SigningKeys } from '../authority/tokens/signingKeys.js';
import { TokenValidationError } from '../guard/errors.js';
import type { TokenRejection } from '../guard/errors.js';
import { OwnTokenVerifier } from '../guard/ownTokens.js';
import type { PublicOrigins } from '../server/origins.js';
import { graphErrors } from './errors.js';

/** Microsoft Graph's resource: its identifier URI (v1 tokens, with or without the slash) and app id. */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const AUDIENCES = new Set([GRAPH_RESOURCE, `${GRAPH_RESOURCE}/`, GRAPH_APP_ID]);

const SCHEME = /^Bearer\s+(\S+)\s*$/i;
/** Longer is no token Tessera issued; refused before any parsing. */
const MAX_TOKEN_LENGTH = 16_384;
const CLOCK_SKEW_SECONDS = 300;

/** Who called Graph, once the token is good. */
export interface GraphCaller {
  tenantId: string;
  objectId: string;
  /** The calling application (appid / azp). */
  appId: string;
  kind: 'user' | 'app';
  /** Application permissions (`roles`) of an app-only token. */
  roles: ReadonlySet<string>;
  /** Delegated permissions (`scp`) of a user token. */
  scopes: ReadonlySet<string>;
}

const INVALID = 'Access token validation failure.';

// Graph's texts: the client learns what is wrong with its token, never about the directory.
const messageOf: Record<TokenRejection, string> = {
  missing: 'Access token is empty.',
  malformed: INVALID,
  unsupported_algorithm: INVALID,
  forbidden_header: INVALID,
  unknown_key: INVALID,
  bad_signature: INVALID,
  missing_claim: INVALID,
  not_an_access_token: INVALID,
  not_yet_valid: INVALID,
  expired: 'Lifetime validation failed, the token is expired.',
  wrong_issuer: 'Access token validation failure. Invalid issuer.',
  wrong_audience: 'Access token validation failure. Invalid audience.',
};

/** Graph's challenge: where to get a token, and for which resource (its client id). */
export const graphChallenge = (origin: string): string =>
  `Bearer realm="", authorization_uri="${origin}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`;

/**
 * Bearer tokens issued by Tessera for Microsoft Graph, by any of its tenants: the caller's tenant
 * is the directory it reads and writes. Every failure is a 401 with Graph's challenge.
 */
export class GraphAuthenticator {
  private readonly verifier: OwnTokenVerifier;

  /**
   * `alsoAccepted`: audiences beyond Microsoft's that name this Graph, such as an origin of
   * Tessera's that the authority resolves to Graph (az 2.45 asks tokens for the same URL it calls).
   */
  constructor(
    keys: SigningKeys,
    origins: PublicOrigins,
    alsoAccepted: (aud: string) => boolean = () => false,
  ) {
    this.verifier = new OwnTokenVerifier(keys, origins, (aud) => AUDIENCES.has(aud) || alsoAccepted(aud), {
      clockToleranceSeconds: CLOCK_SKEW_SECONDS,
    });
  }

  async authenticate(authorization: string | undefined, origin: string): Promise<GraphCaller> {
    const refuse = (code: TokenRejection) =>
      graphErrors.unauthenticated(messageOf[code], graphChallenge(origin));
    if (authorization === undefined || authorization.trim() === '') throw refuse('missing');
    const token = SCHEME.exec(authorization)?.[1];
    if (!token || token.length > MAX_TOKEN_LENGTH) throw refuse('malformed');
    try {
      const { principal, tenantId } = await this.verifier.verify(token);
      return {
        tenantId,
        objectId: principal.objectId.toLowerCase(),
        appId: principal.appId,
        kind: principal.kind,
        roles: new Set(principal.kind === 'app' ? principal.roles : []),
        scopes: new Set(principal.scopes),
      };
    } catch (error) {
      if (error instanceof TokenValidationError) throw refuse(error.code);
      throw error;
    }
  }
}
