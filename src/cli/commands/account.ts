import type { Command } from 'commander';
import type { Tenant } from '../../directory/model.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { DataOptions } from '../options.js';
import { dataCommand, withTessera } from '../options.js';

interface TenantCreateOptions extends DataOptions {
  domain: string;
  displayName?: string;
}

/** `az account tenant list`'s shape. */
const tenantJson = (tenant: Tenant) => ({
  tenantId: tenant.id,
  id: `/tenants/${tenant.id}`,
  defaultDomain: tenant.domain,
  displayName: tenant.displayName,
});

export function registerAccount(program: Command, io: CliIo): void {
  const account = program.command('account').description('Manage tenants.');
  const tenant = account.command('tenant').description('Manage tenants.');

  dataCommand(tenant, 'create', 'Create a tenant.')
    .requiredOption('--domain <name>', "Domain name; 'contoso' becomes contoso.onmicrosoft.com.")
    .option('--display-name <name>', 'Display name (default: the first label of the domain).')
    .action(async (options: TenantCreateOptions) => {
      const created = await withTessera(options, async (tessera) => {
        // The first tenant is the default one and owns the starter subscription; creating
        // another one first would leave the data folder without them.
        await tessera.bootstrap();
        return tessera.directory.createTenant({ domain: options.domain, displayName: options.displayName });
      });
      printJson(io, tenantJson(created));
    });

  dataCommand(tenant, 'list', 'List tenants.').action(async (options: DataOptions) => {
    const tenants = await withTessera(options, async (tessera) => {
      await tessera.bootstrap();
      return tessera.directory.tenants.list();
    });
    printJson(io, tenants.map(tenantJson));
  });
}
