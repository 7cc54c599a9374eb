import type { Application, ServicePrincipal, Tenant } from '../directory/model.js';
import type { AuthorityServices } from './context.js';
import { aadsts } from './errors.js';
import type { TokenVersion } from './issuers.js';

export interface TargetResource {
  servicePrincipal: ServicePrincipal;
  application: Application;
  /** The token shape the resource accepts (its accessTokenAcceptedVersion). */
  version: TokenVersion;
  /** v1 `aud`: the identifier as registered that the client asked for. v2 `aud` is the appId. */
  audience: string;
  /** What the v1 endpoint echoes as `resource`. */
  requested: string;
}

const DEFAULT_SUFFIX = '/.default';

/**
 * `<resource>/.default` → the resource's identifier. Every scope of one request must name
 * the same resource; OIDC scopes (openid, profile, offline_access) are not resources.
 */
export function resourceOfDefaultScope(scope: string): string {
  const scopes = scope
    .split(' ')
    .filter((s) => s !== '' && !['openid', 'profile', 'offline_access', 'email'].includes(s));
  if (scopes.length === 0) throw aadsts.missingParameter('scope');
  if (scopes.length > 1) throw aadsts.scopeHasSeveralResources();
  const only = scopes[0] ?? '';
  if (!only.toLowerCase().endsWith(DEFAULT_SUFFIX)) throw aadsts.scopeNeedsDefault(only);
  const resource = only.slice(0, -DEFAULT_SUFFIX.length);
  if (!resource) throw aadsts.invalidScope(only);
  return resource;
}

export async function resolveTargetResource(
  services: AuthorityServices,
  tenant: Tenant,
  requested: string,
): Promise<TargetResource> {
  const { servicePrincipals, applications } = services.directory;
  const exact = await servicePrincipals.resolveResource(tenant.id, requested);
  const wildcard = exact ? undefined : wildcardIdentifierOf(requested);
  const byWildcard = wildcard && (await servicePrincipals.resolveResource(tenant.id, wildcard));
  const byOrigin = exact || byWildcard ? undefined : await resolveOwnOrigin(services, tenant, requested);
  const resolved = exact ?? byWildcard ?? byOrigin;
  const application = resolved && (await applications.findByAppId(resolved.servicePrincipal.appId));
  if (!resolved || !application) throw aadsts.resourceNotFound(requested, tenant.domain);
  // A resource disabled in this tenant gets no tokens either (Entra: "Application … is disabled").
  if (!resolved.servicePrincipal.accountEnabled)
    throw aadsts.applicationDisabled(application.appId, resolved.servicePrincipal.displayName);
  const version: TokenVersion = application.accessTokenVersion === 2 ? 2 : 1;
  // A wildcard match names one instance (a store): the token is for that instance, as asked.
  // An origin of Tessera's keeps the trailing slash as asked, as identifier URIs do (az's `//.default`).
  const v1Audience =
    exact || byOrigin ? audienceAsRequested(resolved.matchedName, requested) : requested.replace(/\/+$/, '');
  return {
    servicePrincipal: resolved.servicePrincipal,
    application,
    version,
    audience: version === 2 ? application.appId : v1Audience,
    requested,
  };
}

/** One of Tessera's own origins (the server's, a store's, an account's): the resource it names. */
async function resolveOwnOrigin(
  services: AuthorityServices,
  tenant: Tenant,
  requested: string,
): Promise<{ servicePrincipal: ServicePrincipal; matchedName: string } | undefined> {
  const appId = await services.originResources?.appIdOf(requested);
  const servicePrincipal =
    appId && (await services.directory.servicePrincipals.findByAppId(tenant.id, appId));
  return servicePrincipal ? { servicePrincipal, matchedName: requested } : undefined;
}

/**
 * `https://mystore.azconfig.io[:port]` → `https://*.azconfig.io`: resources such as App
 * Configuration register a wildcard host, and a token names the one instance it is for (the
 * service then requires that audience to equal its Host header).
 */
function wildcardIdentifierOf(resource: string): string | undefined {
  if (!URL.canParse(resource)) return undefined;
  const url = new URL(resource);
  const labels = url.hostname.split('.');
  if (url.protocol !== 'https:' || labels.length < 3 || url.pathname !== '/' || url.search || url.username) {
    return undefined;
  }
  return `https://*.${labels.slice(1).join('.')}`;
}

/**
 * Entra's v1 `aud` is the identifier as registered, with the trailing slash as the client wrote
 * it: `https://management.azure.com/.default` gives `https://management.azure.com`, while az's
 * `https://management.core.windows.net//.default` gives `https://management.core.windows.net/`.
 */
function audienceAsRequested(registered: string, requested: string): string {
  const bare = registered.replace(/\/+$/, '');
  return requested.endsWith('/') ? `${bare}/` : bare;
}

/** App roles granted to `principalId` on the resource: the `roles` claim. */
export async function grantedAppRoles(
  services: AuthorityServices,
  principalId: string,
  resource: TargetResource,
): Promise<string[]> {
  const ids = new Set(
    await services.directory.servicePrincipals.appRoleIdsFor(principalId, resource.servicePrincipal.objectId),
  );
  if (ids.size === 0) return [];
  return resource.application.appRoles.filter((r) => r.isEnabled && ids.has(r.id)).map((r) => r.value);
}
