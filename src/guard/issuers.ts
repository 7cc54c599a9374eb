import type { PublicOrigins } from '../server/origins.js';

/**
 * Tessera's own issuers for one tenant: v1 (`/<tid>/`) and v2 (`/<tid>/v2.0`) on every host
 * name Tessera answers to, since a client may have used any of them as its authority.
 */
export function ownIssuersOf(origins: PublicOrigins, tenantId: string): (iss: string) => boolean {
  const v1 = `/${tenantId}/`;
  const v2 = `/${tenantId}/v2.0`;
  return (iss) => {
    let url: URL;
    try {
      url = new URL(iss);
    } catch {
      return false;
    }
    return origins.isOwn(url) && (url.pathname === v1 || url.pathname === v2) && !url.search && !url.hash;
  };
}

const issuerTenants = new Map<string, string | undefined>();

/** The tenant an issuer of Tessera names, for "wrong issuer" messages and tenant routing. */
export function tenantOfIssuer(iss: string): string | undefined {
  // Every guarded request asks about the same few issuers; URL parsing showed in profiles.
  if (issuerTenants.has(iss)) return issuerTenants.get(iss);
  let tenant: string | undefined;
  try {
    tenant = /^\/([0-9a-f-]{36})\/(?:v2\.0)?$/i.exec(new URL(iss).pathname)?.[1]?.toLowerCase();
  } catch {
    tenant = undefined;
  }
  if (issuerTenants.size >= 1000) issuerTenants.clear();
  issuerTenants.set(iss, tenant);
  return tenant;
}
