import type { Command } from 'commander';
import { findRoleDefinition } from '../../access/roleDefinitions.js';
import type { RoleDefinition } from '../../access/roleDefinitions.js';
import type { Application, ServicePrincipal, Tenant } from '../../directory/model.js';
import { TesseraError } from '../../errors.js';
import type { Tessera } from '../../tessera.js';
import { checkCredentialOptions, issueCredential } from '../appCredentials.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { printJson, printWarning } from '../io.js';
import type { TenantOptions } from '../options.js';
import { parsePositiveInteger, tenantCommand, withTenant } from '../options.js';

interface CreateForRbacOptions extends TenantOptions {
  name?: string;
  role?: string;
  scopes?: string[];
  years?: number;
  createCert?: boolean;
  cert?: string;
  certDir?: string;
}

type Undo = () => Promise<unknown>;

// az's name when none is given: azure-cli-2024-05-01-10-20-30.
const defaultName = (): string => `azure-cli-${new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-')}`;

function checkUsage(options: CreateForRbacOptions): void {
  if (options.role !== undefined && !options.scopes?.length) {
    throw new UsageError('--scopes argument is required when using --role');
  }
  if (options.scopes?.length && options.role === undefined) {
    throw new UsageError('--role argument is required when using --scopes');
  }
  checkCredentialOptions(options);
}

function findRole(name: string | undefined): RoleDefinition | undefined {
  if (name === undefined) return undefined;
  const role = findRoleDefinition(name);
  if (!role) throw new TesseraError('RoleNotFound', `Role '${name}' doesn't exist.`);
  return role;
}

/**
 * As az: an application with the same display name is reused and its credentials reset, so
 * running the same script twice does not pile up applications.
 */
async function applicationFor(
  tessera: Tessera,
  tenant: Tenant,
  displayName: string,
  io: CliIo,
  undo: Undo[],
): Promise<{ application: Application; servicePrincipal: ServicePrincipal }> {
  const { applications, servicePrincipals } = tessera.directory;
  const existing = await applications.list(tenant.id, { displayName });
  if (existing.length > 1) {
    throw new TesseraError(
      'DuplicateDisplayName',
      `More than one application have the same display name '${displayName}', please use a different display name.`,
    );
  }
  const [application] = existing;
  if (!application) {
    const registered = await tessera.directory.registerApplication(tenant, { displayName });
    undo.push(() => applications.delete(registered.application));
    return registered;
  }
  printWarning(io, `Found an existing application instance: (id) ${application.objectId}. We will patch it.`);
  const servicePrincipal =
    (await servicePrincipals.findByAppId(tenant.id, application.appId)) ??
    (await servicePrincipals.create(tenant.id, application));
  return { application, servicePrincipal };
}

async function assignRole(
  tessera: Tessera,
  tenant: Tenant,
  role: RoleDefinition,
  scope: string,
  principal: ServicePrincipal,
  io: CliIo,
  undo: Undo[],
): Promise<void> {
  printWarning(io, `Creating '${role.roleName}' role assignment under scope '${scope}'`);
  try {
    const assignment = await tessera.roleAssignments.create({
      tenantId: tenant.id,
      scope,
      roleDefinition: role.name,
      principalId: principal.objectId,
      principalType: 'ServicePrincipal',
    });
    undo.push(() => tessera.roleAssignments.delete(assignment.name));
  } catch (error) {
    // A reused application may hold the assignment already; az carries on in that case.
    if (!(error instanceof TesseraError) || error.code !== 'RoleAssignmentExists') throw error;
    printWarning(io, '  Role assignment already exists.');
  }
}

async function createForRbac(tessera: Tessera, tenant: Tenant, options: CreateForRbacOptions, io: CliIo) {
  const role = findRole(options.role);
  const displayName = options.name ?? defaultName();
  const undo: Undo[] = [];
  try {
    const { application, servicePrincipal } = await applicationFor(tessera, tenant, displayName, io, undo);
    if (role) {
      for (const scope of options.scopes ?? []) {
        await assignRole(tessera, tenant, role, scope, servicePrincipal, io, undo);
      }
    }
    // Last, so a failed role assignment leaves a reused application's credentials as they were.
    const issued = await issueCredential(tessera.directory, application, options);
    printWarning(
      io,
      'The output includes credentials that you must protect. Be sure that you do not include these ' +
        'credentials in your code or check the credentials into your source control.',
    );
    return { appId: application.appId, displayName: application.displayName, ...issued, tenant: tenant.id };
  } catch (error) {
    // Best effort, newest first: the error worth reporting is the one that stopped the command.
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

export function registerCreateForRbac(sp: Command, io: CliIo): void {
  tenantCommand(
    sp,
    'create-for-rbac',
    'Create a service principal and configure its access to Azure resources.',
  )
    .option('-n, --name <name>', 'Display name of the application (default: azure-cli-<timestamp>).')
    .option('--role <role>', 'Role to assign: a built-in role name or role definition id.')
    .option(
      '--scopes <scope...>',
      'Scopes of the role assignments, e.g. /subscriptions/{id}/resourceGroups/{rg}.',
    )
    .option('--years <n>', 'Years the credential is valid (default: 1).', parsePositiveInteger)
    .option('--create-cert', 'Create a self-signed certificate instead of a password.')
    .option('--cert <pem>', 'Register this PEM certificate (or @file) instead of a password.')
    .option('--cert-dir <dir>', 'Where --create-cert writes its PEM file (default: your home directory).')
    .action(async (options: CreateForRbacOptions) => {
      checkUsage(options);
      const json = await withTenant(options, (tessera, tenant) =>
        createForRbac(tessera, tenant, options, io),
      );
      printJson(io, json);
    });
}
