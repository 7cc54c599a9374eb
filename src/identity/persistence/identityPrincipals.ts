import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { MICROSOFT_SERVICES_TENANT_ID } from '../../directory/firstParty.js';
import { normalizeServicePrincipalName } from '../../directory/servicePrincipals.js';
import type { Database } from '../../store/schema.js';

export interface IdentityPrincipal {
  principalId: string;
  clientId: string;
}

/**
 * The service principal of a managed identity, written in the caller's transaction. Entra gives
 * it no application of the tenant's (its appOwnerOrganizationId is Microsoft's tenant), so no
 * secret or certificate can ever be added to it: only the identity's host gets tokens for it.
 * Its row is removed by the migration's triggers when the identity's own row goes.
 */
export async function insertIdentityPrincipal(
  trx: Transaction<Database>,
  tenantId: string,
  displayName: string,
  createdAt: number,
): Promise<IdentityPrincipal> {
  const principal = { principalId: randomUUID(), clientId: randomUUID() };
  await trx
    .insertInto('service_principals')
    .values({
      object_id: principal.principalId,
      tenant_id: tenantId,
      app_id: principal.clientId,
      app_owner_tenant_id: MICROSOFT_SERVICES_TENANT_ID,
      display_name: displayName,
      account_enabled: 1,
      created_at: createdAt,
    })
    .execute();
  // The client id is the principal's one servicePrincipalName, as `--assignee <clientId>` finds it.
  await trx
    .insertInto('service_principal_names')
    .values({
      tenant_id: tenantId,
      name_lower: normalizeServicePrincipalName(principal.clientId),
      name: principal.clientId,
      service_principal_object_id: principal.principalId,
    })
    .execute();
  return principal;
}
