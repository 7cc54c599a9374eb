import type { Tenant } from '../directory/model.js';
import type { TenantSegment } from './context.js';
import { v1Issuer, v2Issuer } from './issuers.js';

/** What the issuer path carries: the tenant's id, or Entra's `{tenantid}` template for meta-tenants. */
const issuerTenant = (tenant: TenantSegment): string =>
  tenant.kind === 'tenant' ? tenant.tenant.id : '{tenantid}';

/** Endpoints keep the segment the client used, as Entra's do. */
export function openIdConfigurationV2(origin: string, tenant: TenantSegment): Record<string, unknown> {
  const base = `${origin}/${tenant.segment}`;
  const host = new URL(origin).host;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: v2Issuer(origin, issuerTenant(tenant)),
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: claimsSupported,
    tenant_region_scope: null,
    cloud_instance_name: host,
    cloud_graph_host_name: host,
    msgraph_host: host,
    rbac_url: origin,
  };
}

/**
 * `/adfs/.well-known/openid-configuration`, which MSAL asks for an ADFS-form authority (no
 * `/v2.0`). The document is the v2 one, since MSAL then sends v2 requests (scopes, not
 * resources), with endpoints that name the tenant's id: MSAL takes the tenant (its cache's realm)
 * from the token endpoint's first segment, so accounts are cached under the tenant the tokens carry.
 */
export function openIdConfigurationAdfs(origin: string, tenant: Tenant): Record<string, unknown> {
  return openIdConfigurationV2(origin, { kind: 'tenant', tenant, segment: tenant.id });
}

export function openIdConfigurationV1(origin: string, tenant: TenantSegment): Record<string, unknown> {
  const base = `${origin}/${tenant.segment}`;
  const host = new URL(origin).host;
  return {
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    issuer: v1Issuer(origin, issuerTenant(tenant)),
    authorization_endpoint: `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    end_session_endpoint: `${base}/oauth2/logout`,
    claims_supported: claimsSupported,
    tenant_region_scope: null,
    cloud_instance_name: host,
    cloud_graph_host_name: host,
    msgraph_host: host,
    rbac_url: origin,
  };
}

/**
 * `/common/discovery/instance`: every alias of this authority is this one host. Like Entra, the
 * discovery endpoint names the tenant of the `authorization_endpoint` asked about (`tenant`,
 * when given; the `{tenant}` template otherwise).
 */
export function instanceDiscovery(origin: string, tenant = '{tenant}'): Record<string, unknown> {
  const host = new URL(origin).host;
  return {
    tenant_discovery_endpoint: `${origin}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}

const claimsSupported = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'nonce',
  'preferred_username',
  'name',
  'tid',
  'ver',
  'at_hash',
  'c_hash',
  'email',
];
