import { randomUUID } from 'node:crypto';
import type { Tenant, User } from '../../directory/model.js';
import type { AuthenticatedClient } from '../clientAuthentication.js';
import type { TokenRequest, TokenResponse } from '../context.js';
import { grantedAppRoles } from '../resources.js';
import type { FamilyStarter, NewFamily } from '../signIn/refreshTokens.js';
import { aadsts } from '../errors.js';
import { grantUserScopes, redemptionScopes } from '../userScopes.js';
import type { GrantedUserScopes } from '../userScopes.js';
import { mintAccessToken } from './accessToken.js';
import { mintIdToken, pairwiseSubject } from './idToken.js';
import { tokenResponse } from './response.js';

export interface UserTokenSet {
  tenant: Tenant;
  user: User;
  client: AuthenticatedClient;
  granted: GrantedUserScopes;
  /** How the person authenticated, carried from the sign-in to every refresh (`pwd`). */
  amr: string[];
  /** The refresh token to hand out, when the flow issues one (already stored by the caller). */
  refreshToken?: string;
  nonce?: string;
  /** The client sent `client_info=1`. */
  clientInfo: boolean;
}

/** `client_info`: what MSAL keys its account cache on (`uid.utid`). */
const clientInfoOf = (user: User, tenant: Tenant): string =>
  Buffer.from(JSON.stringify({ uid: user.objectId, utid: tenant.id })).toString('base64url');

/**
 * Mints what a user flow answers: the access token in the resource's shape, an ID token when
 * `openid` was granted, and the response fields MSAL reads (`scope`, `client_info`,
 * `refresh_token`). The two signatures run in parallel on the thread pool.
 */
export async function mintUserTokenSet(request: TokenRequest, set: UserTokenSet): Promise<TokenResponse> {
  const { services } = request;
  const { user, tenant, granted, client } = set;
  const resource = granted.resource;
  const [key, salt, roles] = await Promise.all([
    services.keys.current(),
    services.signIns.secrets.get('pairwise_subject'),
    grantedAppRoles(services, user.objectId, resource),
  ]);
  const subject = pairwiseSubject(salt, user.objectId, client.application.appId);
  const [access, idToken] = await Promise.all([
    mintAccessToken(
      {
        version: resource.version,
        origin: request.origin,
        tenantId: tenant.id,
        audience: resource.audience,
        clientAppId: client.application.appId,
        clientAuth: client.method,
        subject: {
          kind: 'user',
          objectId: user.objectId,
          pairwiseSubject: subject,
          userPrincipalName: user.userPrincipalName,
          name: user.displayName,
          givenName: user.givenName,
          familyName: user.surname,
          scopes: granted.scp,
          amr: set.amr,
          ipAddress: request.ip,
        },
        roles,
        now: request.now,
      },
      key,
    ),
    granted.oidc.has('openid')
      ? mintIdToken(
          {
            origin: request.origin,
            tenantId: tenant.id,
            clientAppId: client.application.appId,
            objectId: user.objectId,
            pairwiseSubject: subject,
            userPrincipalName: user.userPrincipalName,
            name: user.displayName,
            ...(set.nonce !== undefined && { nonce: set.nonce }),
            now: request.now,
          },
          key,
        )
      : undefined,
  ]);
  return tokenResponse(request.endpoint, access, resource.requested, {
    scope: granted.responseScope,
    ...(set.refreshToken !== undefined && { refresh_token: set.refreshToken }),
    ...(idToken !== undefined && { id_token: idToken }),
    ...(set.clientInfo && { client_info: clientInfoOf(user, tenant) }),
  });
}

/** Whether a sign-in gets a refresh token: with offline_access, and always on the v1 endpoint. */
export const issuesRefreshToken = (request: TokenRequest, granted: GrantedUserScopes): boolean =>
  request.endpoint === 1 || granted.oidc.has('offline_access');

/**
 * Consumes a one-time grant (authorization code, device code) and, in the same transaction, runs
 * `startFamily` when a refresh token is due; returns that token. Throws when the grant was
 * already consumed, so a grant redeemed twice at once starts one family, never two.
 */
export type GrantRedemption = (startFamily: FamilyStarter | undefined) => Promise<string | undefined>;

/**
 * Completes a fresh sign-in (password, authorization code, device code): starts a refresh-token
 * family when one is due, then mints the token set. `scope` is the request's scope string, which
 * a later refresh that names none falls back to. `redeem` is how a code flow consumes its code
 * atomically with the family's start.
 */
export async function issueSignInTokens(
  request: TokenRequest,
  signIn: Omit<UserTokenSet, 'refreshToken'> & {
    scope: string;
    authTime: number;
    sessionId?: string | null;
    /** A SPA's browser redemption: its refresh tokens stay bound to this origin, for 24 hours. */
    spaOrigin?: string;
  },
  redeem?: GrantRedemption,
): Promise<TokenResponse> {
  const familyId = randomUUID();
  const family: NewFamily | undefined = issuesRefreshToken(request, signIn.granted)
    ? {
        tenantId: signIn.tenant.id,
        userId: signIn.user.objectId,
        clientId: signIn.client.application.appId,
        authTime: signIn.authTime,
        credentialVersion: signIn.user.credentialVersion,
        amr: signIn.amr,
        scope: signIn.scope,
        now: request.now,
        sessionId: signIn.sessionId ?? null,
        spaOrigin: signIn.spaOrigin ?? null,
        id: familyId,
      }
    : undefined;
  const { refreshTokens } = request.services.signIns;
  const start: FamilyStarter | undefined =
    family && (async (within) => ({ familyId, token: await refreshTokens.startFamily(family, within) }));
  const refreshToken = redeem
    ? await redeem(start)
    : family
      ? await refreshTokens.startFamily(family)
      : undefined;
  return mintUserTokenSet(request, { ...signIn, ...(refreshToken !== undefined && { refreshToken }) });
}

/** What a code flow (authorization code, device code) recorded of the sign-in it stands for. */
export interface RecordedSignIn {
  tenant: Tenant;
  userId: string;
  client: AuthenticatedClient;
  /** The scope string the code was issued for. */
  scope: string;
  amr: string[];
  authTime: number;
  sessionId: string | null;
  nonce?: string;
  /** Set when a single-page application redeemed the code from this origin. */
  spaOrigin?: string;
}

/**
 * The shared end of the code flows: the person must still exist and be enabled, the scopes are
 * the code's (or those the redemption asks for), then the tokens are issued while `redeem`
 * consumes the code.
 */
export async function redeemSignIn(
  request: TokenRequest,
  signIn: RecordedSignIn,
  redeem: GrantRedemption,
): Promise<TokenResponse> {
  const { services } = request;
  const { tenant, client } = signIn;
  const user = await services.directory.users.findById(tenant.id, signIn.userId);
  if (!user) throw aadsts.invalidGrant();
  if (!user.accountEnabled) throw aadsts.accountDisabled();
  const { requested, scope } = redemptionScopes(request, signIn.scope);
  const granted = await grantUserScopes(services, tenant, client.application, requested);
  return issueSignInTokens(
    request,
    {
      tenant,
      user,
      client,
      granted,
      amr: signIn.amr,
      ...(signIn.nonce !== undefined && { nonce: signIn.nonce }),
      clientInfo: request.params.get('client_info') === '1',
      scope,
      authTime: signIn.authTime,
      sessionId: signIn.sessionId,
      ...(signIn.spaOrigin !== undefined && { spaOrigin: signIn.spaOrigin }),
    },
    redeem,
  );
}
