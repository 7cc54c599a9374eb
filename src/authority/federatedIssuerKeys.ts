import type { KeyResolver } from '../guard/keys/keyResolver.js';
import { LocalKeys } from '../guard/keys/localKeys.js';
import { RemoteJwks } from '../guard/keys/remoteJwks.js';
import { ownIssuersOf, tenantOfIssuer } from '../guard/issuers.js';
import type { AuthorityServices } from './context.js';
import { aadsts } from './errors.js';
import type { SigningKeys } from './tokens/signingKeys.js';

/** The keys of an issuer that federated assertions come from, and whether it is Tessera itself. */
export interface IssuerKeys {
  keys: KeyResolver;
  /** A tenant of this Tessera: its tokens are verified with the local keys, as Entra's own. */
  own: boolean;
}

const DISCOVERY_MAX_AGE_MS = 60 * 60 * 1000;
const DISCOVERY_TIMEOUT_MS = 10_000;
/** Issuers come from credentials the apps registered; the bound only keeps memory in check. */
const MAX_REMOTE_ISSUERS = 100;

const localKeys = new WeakMap<SigningKeys, LocalKeys>();
const remote = new Map<string, { keys: RemoteJwks; discoveredAt: number }>();

/**
 * Keys for `issuer`, an issuer some federated identity credential names: a Tessera tenant's own
 * issuer (any of its host names) uses the local signing keys; any other https issuer is found
 * through its OpenID discovery document and JWKS, as Entra does. Discovery that fails or does
 * not name this issuer is Entra's 50166.
 */
export async function issuerKeys(services: AuthorityServices, issuer: string): Promise<IssuerKeys> {
  const tenantId = tenantOfIssuer(issuer);
  if (tenantId && ownIssuersOf(services.origins, tenantId)(issuer)) {
    let keys = localKeys.get(services.keys);
    if (!keys) localKeys.set(services.keys, (keys = new LocalKeys(services.keys)));
    return { keys, own: true };
  }
  const known = remote.get(issuer);
  if (known && Date.now() - known.discoveredAt < DISCOVERY_MAX_AGE_MS)
    return { keys: known.keys, own: false };
  const keys = new RemoteJwks(await discoverJwksUri(issuer), { cooldownSeconds: 10 });
  if (remote.size >= MAX_REMOTE_ISSUERS) remote.clear();
  remote.set(issuer, { keys, discoveredAt: Date.now() });
  return { keys, own: false };
}

async function discoverJwksUri(issuer: string): Promise<string> {
  if (!issuer.startsWith('https://')) throw aadsts.externalIssuerUnreachable();
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as typeof document;
  } catch {
    throw aadsts.externalIssuerUnreachable();
  }
  const jwksUri = document.jwks_uri;
  // The document must speak for this issuer, and its keys must come over https.
  if (document.issuer !== issuer || typeof jwksUri !== 'string' || !jwksUri.startsWith('https://')) {
    throw aadsts.externalIssuerUnreachable();
  }
  return jwksUri;
}

/** Fetching a remote key set failed: the issuer's endpoint, not the assertion, is at fault. */
export async function findIssuerKey(keys: KeyResolver, kid: string) {
  try {
    return await keys.find(kid, { refresh: true });
  } catch {
    throw aadsts.externalIssuerUnreachable();
  }
}
