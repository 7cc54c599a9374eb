import { createPublicKey } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { Application, ServicePrincipal, Tenant } from '../directory/model.js';
import type { ClientAuthMethod } from './tokens/accessToken.js';
import type { AuthorityServices, TokenRequest } from './context.js';
import { aadsts } from './errors.js';
import { isFederatedAssertion, verifyFederatedAssertion } from './federatedAssertion.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Parameters every grant accepts for client authentication. */
export const clientAuthParameters = [
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
];

export interface AuthenticatedClient {
  application: Application;
  /** The client's service principal in the token's tenant: the `oid` of app-only tokens. */
  servicePrincipal: ServicePrincipal;
  method: ClientAuthMethod;
}

interface PresentedCredentials {
  clientId: string | undefined;
  secret: string | undefined;
  assertion: string | undefined;
  assertionType: string | undefined;
}

/** client_secret_post, client_secret_basic (RFC 6749 §2.3.1: both parts form-encoded) or private_key_jwt. */
export function presentedCredentials(
  params: ReadonlyMap<string, string>,
  authorization: string | undefined,
): PresentedCredentials {
  let clientId = params.get('client_id');
  let secret = params.get('client_secret');
  if (authorization && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw aadsts.invalidParameter('Authorization', 'The Basic credentials are malformed.');
    let basicId: string;
    let basicSecret: string;
    try {
      basicId = decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' '));
      basicSecret = decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' '));
    } catch {
      throw aadsts.invalidParameter('Authorization', 'The Basic credentials are not form-encoded.');
    }
    if (clientId !== undefined && clientId.toLowerCase() !== basicId.toLowerCase()) {
      throw aadsts.conflictingClientIds();
    }
    clientId = basicId;
    secret = secret ?? basicSecret;
  }
  return {
    clientId,
    secret,
    assertion: params.get('client_assertion'),
    assertionType: params.get('client_assertion_type'),
  };
}

/**
 * Finds the client in the tenant: its own single-tenant app, or a multi-tenant app with a
 * service principal here. Entra answers the same 700016 whether the app is missing or not
 * provisioned in this tenant.
 */
export async function findClient(
  services: AuthorityServices,
  tenant: Tenant,
  clientId: string,
): Promise<{ application: Application; servicePrincipal: ServicePrincipal }> {
  const { directory } = services;
  const application = await directory.applications.findByAppId(clientId);
  if (!application) throw aadsts.applicationNotFound(clientId, tenant.domain);
  if (application.tenantId !== tenant.id && application.signInAudience === 'AzureADMyOrg') {
    throw aadsts.applicationNotFound(clientId, tenant.domain);
  }
  const servicePrincipal = await directory.servicePrincipals.findByAppId(tenant.id, application.appId);
  if (!servicePrincipal) {
    if (application.tenantId === tenant.id) throw aadsts.servicePrincipalMissing(clientId);
    throw aadsts.applicationNotFound(clientId, tenant.domain);
  }
  // Disabled in this tenant (Graph's accountEnabled false, "Enabled for users to sign in" off):
  // no token of any flow, app-only or for a person, as Entra refuses it.
  if (!servicePrincipal.accountEnabled)
    throw aadsts.applicationDisabled(application.appId, servicePrincipal.displayName);
  return { application, servicePrincipal };
}

/** Authenticates a confidential client; `grantType` names the grant in 7000216's message. */
export async function authenticateConfidentialClient(
  request: TokenRequest,
  tenant: Tenant,
  grantType: string,
): Promise<AuthenticatedClient> {
  const { services } = request;
  const presented = presentedCredentials(request.params, request.authorization);
  if (!presented.clientId) throw aadsts.missingParameter('client_id');
  const { application, servicePrincipal } = await findClient(services, tenant, presented.clientId);
  if (presented.assertion !== undefined || presented.assertionType !== undefined) {
    if (presented.assertionType !== JWT_BEARER_ASSERTION) throw aadsts.invalidClientAssertionType();
    if (!presented.assertion) throw aadsts.missingParameter('client_assertion');
    if (isFederatedAssertion(presented.assertion, application.appId)) {
      await verifyFederatedAssertion(request, application, presented.assertion);
    } else {
      await verifyClientAssertion(request, tenant, application, presented.assertion);
    }
    return { application, servicePrincipal, method: 'certificate' };
  }
  if (presented.secret !== undefined && presented.secret !== '') {
    const check = await services.directory.credentials.checkSecret(application.objectId, presented.secret);
    if (check === 'expired') throw aadsts.expiredClientSecret(application.appId);
    if (check !== 'valid') throw aadsts.invalidClientSecret(application.appId);
    return { application, servicePrincipal, method: 'secret' };
  }
  throw aadsts.credentialRequired(grantType);
}

const hexFromBase64url = (value: unknown): string | undefined =>
  typeof value === 'string' && /^[A-Za-z0-9_-]+$/.test(value)
    ? Buffer.from(value, 'base64url').toString('hex').toUpperCase()
    : undefined;

/**
 * RFC 7523 client assertion signed with a registered certificate: RS256 + x5t (SHA-1) or
 * PS256 + x5t#S256. The same assertion may be presented many times until it expires, because
 * msal-node caches it; Entra does not enforce jti uniqueness for client assertions either.
 */
async function verifyClientAssertion(
  request: TokenRequest,
  tenant: Tenant,
  application: Application,
  assertion: string,
): Promise<void> {
  const { services } = request;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw aadsts.invalidClientAssertion('The client_assertion is not a well-formed JWT.');
  }
  const sha256 = hexFromBase64url(header['x5t#S256']);
  const sha1 = hexFromBase64url(header.x5t);
  if (!sha256 && !sha1) {
    throw aadsts.invalidClientAssertion("The assertion header has neither 'x5t' nor 'x5t#S256'.");
  }
  const credential = await services.directory.credentials.findCertificate(application.objectId, {
    sha1,
    sha256,
  });
  if (!credential) {
    throw aadsts.invalidClientAssertion(
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${sha256 ?? sha1}']`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  if (credential.endAt < now) {
    throw aadsts.invalidClientAssertion(
      `The certificate with thumbprint '${credential.thumbprintSha1}' registered on application '${application.appId}' has expired.`,
    );
  }
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(assertion, createPublicKey(credential.certificatePem), {
      algorithms: ['RS256', 'PS256'],
      requiredClaims: ['aud', 'exp', 'iss', 'sub'],
      clockTolerance: 300,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      throw aadsts.clientAssertionTimeRange('The assertion has expired.');
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') {
      throw aadsts.clientAssertionTimeRange('The assertion is not yet valid.');
    }
    const reason = error instanceof joseErrors.JOSEError ? error.message : 'The signature is not valid.';
    throw aadsts.invalidClientAssertion(reason);
  }
  // The client id is a GUID: msal-node puts it in iss/sub as the caller spelled it.
  const isClient = (claim: unknown) => typeof claim === 'string' && claim.toLowerCase() === application.appId;
  if (!isClient(payload.iss) || !isClient(payload.sub)) {
    throw aadsts.clientAssertionSubjectMismatch();
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.some((aud) => aud !== undefined && isTokenEndpointOf(request, tenant, aud))) {
    throw aadsts.invalidClientAssertion(
      `The audience '${audiences.join(', ')}' is not this tenant's token endpoint.`,
    );
  }
}

/** `https://<own host>:<this port>/<tenant id or domain>/oauth2[/v2.0]/token`. */
function isTokenEndpointOf(request: TokenRequest, tenant: Tenant, audience: string): boolean {
  let url: URL;
  try {
    url = new URL(audience);
  } catch {
    return false;
  }
  if (!request.services.origins.isOwn(url)) return false;
  const match = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?token\/?$/i.exec(url.pathname);
  const segment = match?.[1]?.toLowerCase();
  return segment === tenant.id || segment === tenant.domain;
}

/**
 * A single-page application redeeming from the browser: a public client whatever else the app
 * is, since a page cannot keep a secret; Entra refuses client credentials next to an Origin.
 */
export async function authenticateBrowserClient(
  request: TokenRequest,
  tenant: Tenant,
): Promise<AuthenticatedClient> {
  const presented = presentedCredentials(request.params, request.authorization);
  if (!presented.clientId) throw aadsts.missingParameter('client_id');
  const { application, servicePrincipal } = await findClient(request.services, tenant, presented.clientId);
  const hasCredentials =
    (presented.secret !== undefined && presented.secret !== '') ||
    presented.assertion !== undefined ||
    presented.assertionType !== undefined;
  if (hasCredentials) throw aadsts.publicClientPresentedSecret();
  return { application, servicePrincipal, method: 'public' };
}

/**
 * Public clients (isFallbackPublicClient: native apps, the Azure CLI) present no credentials and
 * are refused if they do (700025); every other client authenticates as a confidential one.
 */
export async function authenticateClient(
  request: TokenRequest,
  tenant: Tenant,
  grantType: string,
): Promise<AuthenticatedClient> {
  const presented = presentedCredentials(request.params, request.authorization);
  if (!presented.clientId) throw aadsts.missingParameter('client_id');
  const { application, servicePrincipal } = await findClient(request.services, tenant, presented.clientId);
  const hasCredentials =
    (presented.secret !== undefined && presented.secret !== '') ||
    presented.assertion !== undefined ||
    presented.assertionType !== undefined;
  if (application.isFallbackPublicClient) {
    if (hasCredentials) throw aadsts.publicClientPresentedSecret();
    return { application, servicePrincipal, method: 'public' };
  }
  if (!hasCredentials) throw aadsts.confidentialClientCredentialRequired();
  return authenticateConfidentialClient(request, tenant, grantType);
}
