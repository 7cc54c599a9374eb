/** Tessera Portal: the first-party public client every tenant has (src/directory/firstParty.ts). */
export const PORTAL_CLIENT_ID = '3f8f840c-fbce-408a-a651-f1a9cf95b4ff';

/** Registered as the path `/portal/`, which the authority accepts on each of its own origins. */
export const redirectUri = (): string => `${location.origin}/portal/`;

/**
 * The APIs the portal calls, by the identifier URI the authority knows them by. All of them are
 * served on this origin (App Configuration and Media Services path-style), so the tokens never
 * leave it.
 */
export const RESOURCES = {
  arm: 'https://management.azure.com',
  graph: 'https://graph.microsoft.com',
  appConfiguration: 'https://azconfig.io',
  mediaServices: 'https://rest.media.azure.net',
} as const;

export type Resource = keyof typeof RESOURCES;

/** Every delegated permission of the resource: what the signed-in person's roles then allow. */
export const scopeOf = (resource: Resource): string => `${RESOURCES[resource]}/.default`;

/** OpenID Connect plus a refresh token, asked with the first resource's scope. */
export const SIGN_IN_SCOPES = 'openid profile offline_access';

/** v2 endpoints of the authority on this origin, for a tenant (id, domain or `organizations`). */
export const authorityEndpoint = (tenant: string, endpoint: 'authorize' | 'token' | 'logout'): string =>
  `${location.origin}/${encodeURIComponent(tenant)}/oauth2/v2.0/${endpoint}`;
