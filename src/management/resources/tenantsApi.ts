import type { Tenant } from '../../directory/model.js';
import type { ArmOperation } from '../arm/context.js';

export const tenantResource = (tenant: Tenant) => ({
  id: `/tenants/${tenant.id}`,
  tenantId: tenant.id,
  countryCode: 'US',
  displayName: tenant.displayName,
  domains: [tenant.domain],
  tenantCategory: 'Home',
  defaultDomain: tenant.domain,
  tenantType: 'AAD',
});

/** `GET /tenants`: the tenants the caller's token is for — its own. */
export const listTenants: ArmOperation = {
  api: 'subscriptions',
  action: null,
  scope: '/',
  async run({ tessera, caller }) {
    const tenant = await tessera.directory.tenants.find(caller.tenantId);
    return { status: 200, body: { value: tenant ? [tenantResource(tenant)] : [] } };
  },
};
