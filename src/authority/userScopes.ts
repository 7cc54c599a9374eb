import type { Application, Tenant } from '../directory/model.js';
import { normalizeServicePrincipalName } from '../directory/servicePrincipals.js';
import type { AuthorityServices } from './context.js';
import { aadsts } from './errors.js';
import { resolveTargetResource } from './resources.js';
import type { TargetResource } from './resources.js';

export type OidcScope = 'openid' | 'profile' | 'email' | 'offline_access';
const OIDC_SCOPES: readonly OidcScope[] = ['openid', 'profile', 'email', 'offline_access'];

/** A bare scope (`User.Read`) names a Microsoft Graph permission, as in Entra. */
const GRAPH = 'https://graph.microsoft.com';
const DEFAULT = '.default';

export interface RequestedUserScopes {
  /** The resource as the client wrote it (`https://management.core.windows.net/`), or Graph. */
  resource: string;
  /** Whether the client wrote the resource: bare Graph scopes are answered bare. */
  prefixed: boolean;
  /** Scope values on that resource: `.default`, `user_impersonation`, `Orders.Read`. */
  values: string[];
  oidc: Set<OidcScope>;
}

const asOidc = (scope: string): OidcScope | undefined =>
  OIDC_SCOPES.find((known) => known === scope.toLowerCase());

/**
 * Splits a user flow's `scope`: OIDC scopes, and `<resource>/<value>` scopes that must all name
 * one resource (28000 otherwise). The value is what follows the last slash, so az's
 * `https://management.core.windows.net//.default` names `https://management.core.windows.net/`.
 * Only OIDC scopes means Graph's `.default`, as Entra issues a Graph token then.
 */
export function parseUserScopes(scope: string): RequestedUserScopes {
  const oidc = new Set<OidcScope>();
  let resource: string | undefined;
  let prefixed = false;
  const values: string[] = [];
  for (const item of scope.split(' ')) {
    if (item === '') continue;
    const known = asOidc(item);
    if (known) {
      oidc.add(known);
      continue;
    }
    const slash = item.lastIndexOf('/');
    const itemResource = slash < 0 ? GRAPH : item.slice(0, slash);
    const value = slash < 0 ? item : item.slice(slash + 1);
    if (!itemResource || !value) throw aadsts.invalidScope(item);
    if (
      resource !== undefined &&
      normalizeServicePrincipalName(resource) !== normalizeServicePrincipalName(itemResource)
    ) {
      throw aadsts.scopeHasSeveralResources();
    }
    resource ??= itemResource;
    prefixed ||= slash >= 0;
    values.push(value);
  }
  if (resource === undefined) return { resource: GRAPH, prefixed: false, values: [DEFAULT], oidc };
  return { resource, prefixed, values, oidc };
}

/** The v1 endpoint's `resource` parameter: every delegated permission of that resource. */
export function resourceParameterScopes(resource: string, scope: string | undefined): RequestedUserScopes {
  const oidc = parseUserScopes(scope ?? '').oidc;
  return { resource, prefixed: true, values: [DEFAULT], oidc };
}

export interface GrantedUserScopes {
  resource: TargetResource;
  /** The `scp` values, spelled as the resource declares them. */
  scp: string[];
  oidc: Set<OidcScope>;
  /** The token response's `scope`: granted permissions as requested, then the OIDC scopes. */
  responseScope: string;
}

/**
 * What a user flow may get on the resource. Tessera has no consent records: every client is
 * treated as consented to every enabled delegated permission of the resources of its tenant, as
 * Microsoft's first-party clients are pre-authorized for theirs. `.default` grants them all
 * (65001 when the resource exposes none); a named permission the resource does not expose is
 * Entra's 650053.
 */
export async function grantUserScopes(
  services: AuthorityServices,
  tenant: Tenant,
  client: Application,
  requested: RequestedUserScopes,
): Promise<GrantedUserScopes> {
  const resource = await resolveTargetResource(services, tenant, requested.resource);
  const offered = resource.application.oauth2PermissionScopes.filter((s) => s.isEnabled).map((s) => s.value);
  const wantsDefault = requested.values.some((v) => v.toLowerCase() === DEFAULT);
  let scp: string[];
  if (wantsDefault) {
    if (requested.values.length > 1) throw aadsts.defaultScopeCombined(requested.values.join(' '));
    if (offered.length === 0) throw aadsts.consentRequired(client.appId, client.displayName);
    scp = offered;
  } else {
    scp = [];
    for (const value of requested.values) {
      const match = offered.find((o) => o.toLowerCase() === value.toLowerCase());
      if (!match) throw aadsts.scopeNotOnResource(client.displayName, value, resource.application.appId);
      if (!scp.includes(match)) scp.push(match);
    }
  }
  const named = (value: string) => (requested.prefixed ? `${requested.resource}/${value}` : value);
  // MSAL caches the token under these scopes: echoing `.default` lets a later `.default`
  // request find it. offline_access is not echoed, as Entra does not.
  const granted = [...scp.map(named), ...(wantsDefault ? [named(DEFAULT)] : [])];
  const oidcEchoed = OIDC_SCOPES.filter((s) => s !== 'offline_access' && requested.oidc.has(s));
  return { resource, scp, oidc: requested.oidc, responseScope: [...granted, ...oidcEchoed].join(' ') };
}

/**
 * The scopes of a user-flow request: v2 takes `scope` only; v1 takes `resource` (plus any OIDC
 * scopes) or, as newer ADAL-era clients send, `scope`. Also returns the request as a scope
 * string, which is what a refresh token remembers.
 */
export function requestedUserScopes(request: { endpoint: 1 | 2; params: ReadonlyMap<string, string> }): {
  requested: RequestedUserScopes;
  scope: string;
} {
  const scope = request.params.get('scope');
  const resource = request.params.get('resource');
  if (request.endpoint === 2) {
    if (resource !== undefined) throw aadsts.resourceParameterNotSupported();
    if (!scope) throw aadsts.missingParameter('scope');
    return { requested: parseUserScopes(scope), scope };
  }
  if (resource) {
    const requested = resourceParameterScopes(resource, scope);
    return { requested, scope: [`${resource}/${DEFAULT}`, ...requested.oidc].join(' ') };
  }
  if (!scope) throw aadsts.missingParameter('resource');
  return { requested: parseUserScopes(scope), scope };
}

/**
 * For grants that redeem an earlier authorization (a code, an approved device code): the token
 * request's scope when it names one (any resource, as Entra allows), else the scope that was
 * authorized — az polls the device code without any.
 */
export function redemptionScopes(
  request: { endpoint: 1 | 2; params: ReadonlyMap<string, string> },
  authorized: string,
): { requested: RequestedUserScopes; scope: string } {
  const named = request.params.has('scope') || request.params.has('resource');
  return named ? requestedUserScopes(request) : { requested: parseUserScopes(authorized), scope: authorized };
}
