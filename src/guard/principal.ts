/** Who called: what RBAC evaluates and services record. Keyed on oid + tid, never on upn. */
export interface Principal {
  tenantId: string;
  objectId: string;
  /** The calling application (appid in v1, azp in v2). */
  appId: string;
  kind: 'user' | 'app';
  roles: string[];
  scopes: string[];
  /** For messages only (ARM names the client by UPN or app id). */
  displayName: string;
}

export interface AccessTokenClaims {
  iss: string;
  aud: string;
  exp: number;
  nbf?: number;
  iat?: number;
  tid?: string;
  oid?: string;
  sub?: string;
  appid?: string;
  azp?: string;
  idtyp?: string;
  scp?: string;
  roles?: string[];
  upn?: string;
  unique_name?: string;
  preferred_username?: string;
  ver?: string;
  [claim: string]: unknown;
}

export function principalFromClaims(claims: AccessTokenClaims): Principal {
  const appId = claims.appid ?? claims.azp ?? '';
  const scopes = typeof claims.scp === 'string' && claims.scp !== '' ? claims.scp.split(' ') : [];
  const kind = claims.idtyp === 'app' || scopes.length === 0 ? 'app' : 'user';
  return {
    tenantId: claims.tid ?? '',
    objectId: claims.oid ?? claims.sub ?? '',
    appId,
    kind,
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [],
    scopes,
    displayName: claims.upn ?? claims.preferred_username ?? claims.unique_name ?? appId,
  };
}
