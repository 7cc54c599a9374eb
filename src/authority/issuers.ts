/** Tessera's issuers live on its own origin, with Entra's path shapes. */
export const v2Issuer = (origin: string, tenantId: string): string => `${origin}/${tenantId}/v2.0`;
export const v1Issuer = (origin: string, tenantId: string): string => `${origin}/${tenantId}/`;

export type TokenVersion = 1 | 2;

export const issuerFor = (version: TokenVersion, origin: string, tenantId: string): string =>
  version === 2 ? v2Issuer(origin, tenantId) : v1Issuer(origin, tenantId);
