import type { Command } from 'commander';
import type { Directory } from '../../directory/directory.js';
import type { ServicePrincipal, Tenant } from '../../directory/model.js';
import { TesseraError } from '../../errors.js';
import { graphAppRoleAssignment, graphServicePrincipal } from '../graph.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { TenantOptions } from '../options.js';
import { tenantCommand, withTenant } from '../options.js';

interface SpIdOptions extends TenantOptions {
  id: string;
}

interface AppRoleAssignOptions extends SpIdOptions {
  resource: string;
  role: string;
}

async function describeServicePrincipal(directory: Directory, sp: ServicePrincipal) {
  const [app, names] = await Promise.all([
    directory.applications.findByAppId(sp.appId),
    directory.servicePrincipals.names(sp.objectId),
  ]);
  return graphServicePrincipal(sp, app, names);
}

/** By appId, object id or service principal name, as `az ad sp show --id` accepts. */
async function getServicePrincipal(
  directory: Directory,
  tenant: Tenant,
  id: string,
): Promise<ServicePrincipal> {
  const { servicePrincipals } = directory;
  const found =
    (await servicePrincipals.findByAppId(tenant.id, id)) ??
    (await servicePrincipals.findByObjectId(tenant.id, id)) ??
    (await servicePrincipals.resolveResource(tenant.id, id))?.servicePrincipal;
  if (!found) throw new TesseraError('ServicePrincipalNotFound', `Service principal '${id}' doesn't exist`);
  return found;
}

/** Registers `ad sp` and returns it, so create-for-rbac can join the group. */
export function registerAdSp(ad: Command, io: CliIo): Command {
  const sp = ad.command('sp').description('Manage service principals.');

  tenantCommand(
    sp,
    'create',
    "Create a service principal for an application (this tenant's or multi-tenant).",
  )
    .requiredOption('--id <appId>', 'The application (client) id.')
    .action(async (options: SpIdOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) =>
        describeServicePrincipal(directory, await directory.createServicePrincipal(tenant, options.id)),
      );
      printJson(io, json);
    });

  tenantCommand(sp, 'show', 'Show a service principal.')
    .requiredOption('--id <id>', 'appId, object id or a service principal name.')
    .action(async (options: SpIdOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) =>
        describeServicePrincipal(directory, await getServicePrincipal(directory, tenant, options.id)),
      );
      printJson(io, json);
    });

  tenantCommand(sp, 'list', 'List service principals.')
    .option('--display-name <name>', 'Only service principals with this display name.')
    .action(async (options: TenantOptions & { displayName?: string }) => {
      const json = await withTenant(options, async ({ directory }, tenant) => {
        const all = await directory.servicePrincipals.list(tenant.id);
        const shown = all.filter(
          (p) => options.displayName === undefined || p.displayName === options.displayName,
        );
        return Promise.all(shown.map((p) => describeServicePrincipal(directory, p)));
      });
      printJson(io, json);
    });

  // az grants application permissions through Graph REST calls; this is the one-step equivalent.
  const appRole = sp.command('app-role').description("Manage a service principal's app role assignments.");
  tenantCommand(
    appRole,
    'assign',
    "Grant a client application one of a resource's app roles (Tessera extension).",
  )
    .requiredOption('--id <appId>', "The client: its appId or its service principal's object id.")
    .requiredOption('--resource <appId|uri>', 'The resource: its appId or an identifier URI.')
    .requiredOption('--role <value>', "The app role's value, e.g. Data.Read.All.")
    .action(async (options: AppRoleAssignOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) => {
        const principal = await getServicePrincipal(directory, tenant, options.id);
        const resource = (await directory.servicePrincipals.resolveResource(tenant.id, options.resource))
          ?.servicePrincipal;
        if (!resource) {
          throw new TesseraError(
            'ResourceNotFound',
            `Resource '${options.resource}' has no service principal in the directory '${tenant.domain}'.`,
          );
        }
        const resourceApp = await directory.applications.findByAppId(resource.appId);
        const role = resourceApp?.appRoles.find((r) => r.value === options.role && r.isEnabled);
        if (!role) {
          throw new TesseraError(
            'AppRoleNotFound',
            `Resource '${resource.displayName}' has no enabled app role '${options.role}'.`,
          );
        }
        if (!role.allowedMemberTypes.includes('Application')) {
          throw new TesseraError(
            'AppRoleNotAssignable',
            `App role '${role.value}' of '${resource.displayName}' cannot be assigned to applications.`,
          );
        }
        const assignment = await directory.servicePrincipals.assignAppRole({
          tenantId: tenant.id,
          principal,
          resource,
          appRoleId: role.id,
        });
        return graphAppRoleAssignment(assignment, principal, resource);
      });
      printJson(io, json);
    });

  return sp;
}
