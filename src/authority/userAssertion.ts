import { BearerVerifier } from '../guard/bearerVerifier.js';
import { TokenValidationError } from '../guard/errors.js';
import { ownIssuersOf } from '../guard/issuers.js';
import { LocalKeys } from '../guard/keys/localKeys.js';
import type { AccessTokenClaims } from '../guard/principal.js';
import { normalizeServicePrincipalName } from '../directory/servicePrincipals.js';
import type { Application, Tenant } from '../directory/model.js';
import type { AuthorityServices } from './context.js';
import { aadsts } from './errors.js';
import type { SigningKeys } from './tokens/signingKeys.js';

const verifiers = new WeakMap<SigningKeys, BearerVerifier>();

/** .NET's round-trip format, as Entra prints times in its messages. */
const entraTime = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '.0000000Z');

/**
 * The assertion of an on-behalf-of request: a user's access token, issued by this tenant (any of
 * Tessera's host names) for the client that presents it — its appId or one of its identifier
 * URIs — checked as a resource server checks it (RS256, Tessera's keys, five minutes of skew).
 */
export async function verifyUserAssertion(
  services: AuthorityServices,
  tenant: Tenant,
  client: Application,
  assertion: string,
): Promise<AccessTokenClaims> {
  let verifier = verifiers.get(services.keys);
  if (!verifier) verifiers.set(services.keys, (verifier = new BearerVerifier(new LocalKeys(services.keys))));
  const names = new Set([client.appId, ...client.identifierUris].map(normalizeServicePrincipalName));
  let claims: AccessTokenClaims;
  try {
    ({ claims } = await verifier.verify(assertion, {
      issuers: ownIssuersOf(services.origins, tenant.id),
      audience: (aud) => names.has(normalizeServicePrincipalName(aud)),
    }));
  } catch (error) {
    if (!(error instanceof TokenValidationError)) throw error;
    const { details } = error;
    switch (error.code) {
      case 'expired':
        throw aadsts.oboAssertionExpired(
          entraTime(Math.floor(Date.now() / 1000)),
          entraTime(details.exp ?? 0),
        );
      case 'wrong_audience':
        throw aadsts.oboAudienceMismatch(details.aud ?? '', client.appId, client.displayName);
      case 'wrong_issuer':
        throw aadsts.oboAssertionInvalid(`The issuer '${details.iss ?? ''}' is not this tenant's.`);
      default:
        throw aadsts.oboAssertionInvalid(error.message);
    }
  }
  // An app-only token speaks for an application, not a user: Entra refuses application OBO.
  const delegated = typeof claims.scp === 'string' && claims.scp !== '' && claims.idtyp !== 'app';
  if (!delegated) throw aadsts.oboAppOnlyAssertion(client.appId);
  return claims;
}
