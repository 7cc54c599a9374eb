import type { Tenant, User } from '../../directory/model.js';
import {
  authenticateBrowserClient,
  authenticateClient,
  clientAuthParameters,
} from '../clientAuthentication.js';
import type { TokenRequest, TokenResponse } from '../context.js';
import { aadsts } from '../errors.js';
import type { AadstsError } from '../errors.js';
import { REFRESH_TOKEN_INACTIVITY_SECONDS } from '../signIn/refreshTokens.js';
import type { PresentedRefreshToken } from '../signIn/refreshTokens.js';
import { writeSignInEvent } from '../signIn/signInLog.js';
import type { SignInEvent } from '../signIn/signInLog.js';
import { checkRefreshOrigin } from '../spaRedemption.js';
import { mintUserTokenSet } from '../tokens/userTokens.js';
import { grantUserScopes, parseUserScopes, requestedUserScopes } from '../userScopes.js';
import type { GrantedUserScopes } from '../userScopes.js';

export const grantTypes = ['refresh_token'];
/** A single-page application's refresh tokens are redeemed from the browser (spaRedemption.ts). */
export const crossOriginRedemption = true;

export const parameters = new Set([
  ...clientAuthParameters,
  'refresh_token',
  'scope',
  'resource',
  'client_info',
]);

/** .NET's round-trip format, as Entra prints times in its messages. */
const entraTime = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '.0000000Z');
/** .NET's TimeSpan format: `14.00:00:00`. */
const timeSpan = (seconds: number): string => {
  const days = Math.floor(seconds / 86400);
  const rest = new Date((seconds % 86400) * 1000).toISOString().slice(11, 19);
  return `${days}.${rest}`;
};

/**
 * RFC 6749 §6 with rotation. A refresh token is bound to its client, user and tenant but not to
 * a resource: like Entra's, it gets tokens for any resource of the tenant (`scope` of another
 * resource). Checks run before the token is consumed, so a request with a bad scope does not
 * burn it; reuse of a consumed token revokes its whole family.
 */
export async function handler(request: TokenRequest): Promise<TokenResponse> {
  const { services } = request;
  const presentedText = request.params.get('refresh_token');
  if (!presentedText) throw aadsts.missingParameter('refresh_token');
  const presented = await services.signIns.refreshTokens.find(presentedText);
  if (!presented) throw aadsts.invalidRefreshToken();
  const { family } = presented;
  const tenant = await tenantOf(request, family.tenantId);
  checkRefreshOrigin(request, family.spaOrigin);
  const client =
    family.spaOrigin !== null
      ? await authenticateBrowserClient(request, tenant)
      : await authenticateClient(request, tenant, 'refresh_token');
  if (client.application.appId !== family.clientId) throw aadsts.invalidRefreshToken();

  const user = await services.directory.users.findById(tenant.id, family.userId);
  const event = (error: AadstsError | undefined, granted?: GrantedUserScopes): SignInEvent => ({
    tenantId: tenant.id,
    userId: family.userId,
    userPrincipalName: user?.userPrincipalName ?? '',
    userDisplayName: user?.displayName ?? null,
    app: { appId: client.application.appId, displayName: client.application.displayName },
    resource: granted
      ? {
          appId: granted.resource.application.appId,
          displayName: granted.resource.application.displayName,
        }
      : null,
    ipAddress: request.ip,
    correlationId: request.correlationId,
    flow: 'refresh_token',
    interactive: false,
    errorCode: error?.code ?? 0,
    failureReason: error?.description ?? null,
  });
  const refuse = async (error: AadstsError, revoke?: string): Promise<never> => {
    if (revoke) await services.signIns.refreshTokens.revokeFamily(family.id, revoke, request.now);
    await services.signIns.log.record(event(error));
    throw error;
  };

  if (!user) return refuse(aadsts.grantRevoked('The user no longer exists.'), 'user_deleted');
  const problem = checkPresented(presented, user, request.now);
  if (problem) return refuse(problem.error, problem.revoke);

  const scope = request.params.get('scope') ?? request.params.get('resource');
  const { requested, scope: scopeText } =
    scope === undefined
      ? { requested: parseUserScopes(presented.scope), scope: presented.scope }
      : requestedUserScopes(request);
  const granted = await grantUserScopes(services, tenant, client.application, requested);
  const rotated = await services.signIns.refreshTokens.rotate(presented, scopeText, request.now, (sql) =>
    writeSignInEvent(sql, event(undefined, granted)),
  );
  if ('refused' in rotated) return refuse(reuseError());
  return mintUserTokenSet(request, {
    tenant,
    user,
    client,
    granted,
    amr: family.amr,
    refreshToken: rotated.token,
    clientInfo: request.params.get('client_info') === '1',
  });
}

const reuseError = () =>
  aadsts.grantRevoked(
    'The refresh token was already redeemed, so it may have been copied: every token issued from its sign-in has been revoked.',
  );

/** Why a found token cannot be redeemed, and whether that ends its family. */
function checkPresented(
  presented: PresentedRefreshToken,
  user: User,
  now: number,
): { error: AadstsError; revoke?: string } | undefined {
  const { family } = presented;
  if (family.revokedAt !== null)
    return { error: aadsts.grantRevoked('Every token issued from this sign-in has been revoked.') };
  if (!presented.live) return { error: reuseError(), revoke: 'reused' };
  if (now >= family.expiresAt) return { error: aadsts.refreshTokenExpired() };
  if (now >= presented.issuedAt + REFRESH_TOKEN_INACTIVITY_SECONDS) {
    return {
      error: aadsts.refreshTokenInactive(
        entraTime(presented.issuedAt),
        timeSpan(REFRESH_TOKEN_INACTIVITY_SECONDS),
      ),
    };
  }
  if (!user.accountEnabled) return { error: aadsts.accountDisabled(), revoke: 'user_disabled' };
  if (user.credentialVersion !== family.credentialVersion) {
    return {
      error: aadsts.grantRevoked(
        `The user might have changed or reset their password, or an administrator revoked their sessions. The grant was issued on '${entraTime(family.authTime)}'.`,
      ),
      revoke: 'credentials_changed',
    };
  }
  return undefined;
}

/** The token names its tenant: a request to another tenant is refused, a meta-tenant takes it. */
async function tenantOf(request: TokenRequest, tenantId: string): Promise<Tenant> {
  if (request.tenant.kind === 'tenant') {
    if (request.tenant.tenant.id !== tenantId) throw aadsts.invalidRefreshToken();
    return request.tenant.tenant;
  }
  const tenant = await request.services.directory.tenants.find(tenantId);
  if (!tenant) throw aadsts.invalidRefreshToken();
  return tenant;
}
