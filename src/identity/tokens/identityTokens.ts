import type { AuthorityServices } from '../../authority/context.js';
import { grantedAppRoles, resolveTargetResource } from '../../authority/resources.js';
import { mintAccessToken } from '../../authority/tokens/accessToken.js';
import type { IssuedAccessToken } from '../../authority/tokens/accessToken.js';
import { appServiceErrors, imdsErrors, severalSelectors } from '../errors.js';
import type { HeldIdentity, IdentityHost } from '../model.js';

/** How a request names a user-assigned identity; none means the host's default identity. */
export interface IdentitySelector {
  clientId?: string;
  objectId?: string;
  resourceId?: string;
}

export type Protocol = 'appService' | 'imds';

const sameGuid = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
// ARM ids compare case-insensitively, with or without a trailing slash.
const sameResourceId = (a: string, b: string) =>
  a.toLowerCase().replace(/\/+$/, '') === b.toLowerCase().replace(/\/+$/, '');

/**
 * The identity a request is for. Named: one of the host's identities (the system-assigned one
 * answers to its own client and object id too). Unnamed: the system-assigned identity; IMDS, as
 * on a VM, also takes the only user-assigned identity of a host that has no system-assigned one.
 */
export function selectIdentity(
  host: IdentityHost,
  selector: IdentitySelector,
  protocol: Protocol,
): HeldIdentity {
  const named = [selector.clientId, selector.objectId, selector.resourceId].filter((v) => v !== undefined);
  const notFound = protocol === 'imds' ? imdsErrors.identityNotFound : appServiceErrors.identityNotFound;
  if (named.length > 1) throw severalSelectors();
  const held = [...(host.systemAssigned ? [host.systemAssigned] : []), ...host.userAssigned];
  if (named.length === 1) {
    const found = held.find(
      (identity) =>
        (selector.clientId !== undefined && sameGuid(identity.clientId, selector.clientId)) ||
        (selector.objectId !== undefined && sameGuid(identity.principalId, selector.objectId)) ||
        (selector.resourceId !== undefined &&
          identity.resourceId !== null &&
          sameResourceId(identity.resourceId, selector.resourceId)),
    );
    if (!found) throw notFound();
    return found;
  }
  if (host.systemAssigned) return host.systemAssigned;
  if (protocol === 'imds' && host.userAssigned.length > 1) throw imdsErrors.severalUserAssigned();
  const only = protocol === 'imds' ? host.userAssigned[0] : undefined;
  if (!only) throw notFound();
  return only;
}

export interface IdentityToken {
  issued: IssuedAccessToken;
  /** The resource as requested, which both protocols echo. */
  resource: string;
  clientId: string;
}

/**
 * An app-only token for the identity's service principal, minted as the client credentials grant
 * mints one: the resource resolved in the identity's tenant (Entra's 500011 and friends when it
 * cannot be), the app roles the identity holds on it, `appidacr` 2 as Entra gives identities.
 */
export async function mintIdentityToken(
  services: AuthorityServices,
  identity: HeldIdentity,
  resource: string,
  origin: string,
  now: number,
): Promise<IdentityToken> {
  const tenant = await services.directory.tenants.find(identity.tenantId);
  if (!tenant) throw imdsErrors.identityNotFound();
  const target = await resolveTargetResource(services, tenant, resource);
  const [roles, key] = await Promise.all([
    grantedAppRoles(services, identity.principalId, target),
    services.keys.current(),
  ]);
  const issued = await mintAccessToken(
    {
      version: target.version,
      origin,
      tenantId: tenant.id,
      audience: target.audience,
      clientAppId: identity.clientId,
      clientAuth: 'certificate',
      subject: { kind: 'app', objectId: identity.principalId },
      roles,
      now,
    },
    key,
  );
  return { issued, resource, clientId: identity.clientId };
}

/** App Service (2019-08-01): `expires_on` in epoch seconds, as a string. */
export const appServiceTokenBody = (token: IdentityToken) => ({
  access_token: token.issued.token,
  expires_on: String(token.issued.expiresAt),
  resource: token.resource,
  token_type: 'Bearer',
  client_id: token.clientId,
});

/** IMDS (2018-02-01): every number a string, as the metadata service writes them. */
export const imdsTokenBody = (token: IdentityToken) => ({
  access_token: token.issued.token,
  client_id: token.clientId,
  expires_in: String(token.issued.lifetime),
  expires_on: String(token.issued.expiresAt),
  ext_expires_in: String(token.issued.lifetime),
  not_before: String(token.issued.notBefore),
  resource: token.resource,
  token_type: 'Bearer',
});
