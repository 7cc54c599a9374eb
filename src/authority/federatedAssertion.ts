import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { FederatedIdentityCredential } from '../directory/federatedCredentials.js';
import type { Application } from '../directory/model.js';
import { isGuid } from '../errors.js';
import type { TokenRequest } from './context.js';
import { aadsts } from './errors.js';
import { findIssuerKey, issuerKeys } from './federatedIssuerKeys.js';

const KID = /^[A-Za-z0-9_-]{1,128}$/;

const audiencesOf = (payload: JWTPayload): string[] =>
  (Array.isArray(payload.aud) ? payload.aud : [payload.aud]).filter(
    (a): a is string => typeof a === 'string',
  );

/**
 * A client assertion is federated when another identity provider issued it: its `iss` is that
 * issuer's URL. A certificate assertion's `iss` and `sub` are a client id (a GUID); one naming
 * another client stays on the certificate path, which answers 700021 for it. An assertion that
 * cannot even be decoded is left to that path too, which explains what is wrong with it.
 */
export function isFederatedAssertion(assertion: string, clientId: string): boolean {
  try {
    const { iss } = decodeJwt(assertion);
    return typeof iss === 'string' && iss.toLowerCase() !== clientId.toLowerCase() && !isGuid(iss);
  } catch {
    return false;
  }
}

/**
 * Workload identity federation: the assertion must match one of the application's federated
 * identity credentials — issuer, then subject, then audience, compared exactly as Entra does —
 * and then verify against that issuer's keys (RS256, `exp` and `nbf` with five minutes of skew).
 * Matching comes first, so only issuers some credential names are ever fetched.
 */
export async function verifyFederatedAssertion(
  request: TokenRequest,
  application: Application,
  assertion: string,
): Promise<void> {
  const { services } = request;
  let payload: JWTPayload;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    payload = decodeJwt(assertion);
    header = decodeProtectedHeader(assertion);
  } catch {
    throw aadsts.invalidClientAssertion('The client_assertion is not a well-formed JWT.');
  }
  const issuer = payload.iss ?? '';
  const subject = typeof payload.sub === 'string' ? payload.sub : '';
  const audiences = audiencesOf(payload);
  const credentials = await services.directory.federatedCredentials.list(application);
  matchCredential(credentials, issuer, subject, audiences);

  if (header.alg !== 'RS256') {
    throw aadsts.invalidClientAssertion(`The algorithm '${String(header.alg)}' is not allowed.`);
  }
  if (typeof header.kid !== 'string' || !KID.test(header.kid)) {
    throw aadsts.invalidClientAssertion("The assertion header has no valid 'kid'.");
  }
  const source = await issuerKeys(services, issuer);
  const key = await findIssuerKey(source.keys, header.kid);
  if (!key) {
    throw aadsts.invalidClientAssertion(`The signing key '${header.kid}' is not one of the issuer's keys.`);
  }
  try {
    await jwtVerify(assertion, key, {
      algorithms: ['RS256'],
      issuer,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: 300,
    });
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      throw aadsts.clientAssertionTimeRange('The assertion has expired.');
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') {
      throw aadsts.clientAssertionTimeRange('The assertion is not yet valid.');
    }
    const reason = error instanceof joseErrors.JOSEError ? error.message : 'The signature is not valid.';
    throw aadsts.invalidClientAssertion(reason);
  }
  // Entra takes only app-only tokens from its own issuers: a user's token is not the app's.
  const appOnly = payload.idtyp === 'app' || (payload.scp === undefined && Array.isArray(payload.roles));
  if (source.own && !appOnly) throw aadsts.federatedUserToken();
}

/** Entra's order of refusals: no credential at all, then issuer, subject, audience. */
function matchCredential(
  credentials: readonly FederatedIdentityCredential[],
  issuer: string,
  subject: string,
  audiences: readonly string[],
): FederatedIdentityCredential {
  if (credentials.length === 0) throw aadsts.noFederatedCredential(issuer, subject, audiences.join(', '));
  const byIssuer = credentials.filter((c) => c.issuer === issuer);
  if (byIssuer.length === 0) throw aadsts.federatedIssuerMismatch(issuer);
  const bySubject = byIssuer.filter((c) => c.subject === subject);
  if (bySubject.length === 0) {
    const lower = subject.toLowerCase();
    if (byIssuer.some((c) => c.subject.toLowerCase() === lower))
      throw aadsts.federatedSubjectCaseMismatch(subject);
    throw aadsts.federatedSubjectMismatch(subject);
  }
  const match = bySubject.find((c) => c.audiences.some((a) => audiences.includes(a)));
  if (!match) throw aadsts.federatedAudienceMismatch(audiences.join(', '));
  return match;
}
