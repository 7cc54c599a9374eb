import type { Tenant } from '../../directory/model.js';
import { findClient } from '../clientAuthentication.js';
import { AadstsError } from '../errors.js';
import { grantUserScopes, parseUserScopes } from '../userScopes.js';
import type { GrantedUserScopes } from '../userScopes.js';
import type { PageContext } from './pageContext.js';

/**
 * What the client would be granted in `tenant`, for the pages (the consent list, the sign-in
 * log's resource); undefined when it cannot be — the flow reports that to the client later.
 */
export async function tryGrant(
  ctx: PageContext,
  tenant: Tenant,
  clientId: string,
  scope: string,
): Promise<GrantedUserScopes | undefined> {
  try {
    const { application } = await findClient(ctx.services, tenant, clientId);
    return await grantUserScopes(ctx.services, tenant, application, parseUserScopes(scope));
  } catch (error) {
    if (error instanceof AadstsError && error.status < 500) return undefined;
    throw error;
  }
}
