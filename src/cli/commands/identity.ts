import type { Command } from 'commander';
import { TesseraError } from '../../errors.js';
import { APP_SERVICE_PATH } from '../../identity/http/appServiceEndpoint.js';
import { managedIdentitiesOf } from '../../identity/managedIdentities.js';
import { hostNotFound } from '../../identity/persistence/identityHosts.js';
import type { IdentityHost, UserAssignedIdentity } from '../../identity/model.js';
import { USER_ASSIGNED_IDENTITY_TYPE } from '../../identity/model.js';
import { resourceNotFound } from '../../management/resourceFields.js';
import type { Subscription } from '../../management/subscriptions.js';
import { userAssignedIdentityResource } from '../../management/resources/userAssignedIdentitiesApi.js';
import type { Tessera } from '../../tessera.js';
import type { ServerOptions, SubscriptionOptions } from '../armContext.js';
import { subscriptionCommand, withServerOption, withSubscription } from '../armContext.js';
import { azResource, parseTagPairs } from '../armJson.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import { parsePort } from '../options.js';

interface IdentityOptions extends SubscriptionOptions {
  name: string;
  resourceGroup: string;
}

interface CreateOptions extends IdentityOptions {
  location?: string;
  tags?: string[];
}

interface HostOptions extends SubscriptionOptions, ServerOptions {
  name: string;
}

interface HostCreateOptions extends HostOptions {
  systemAssigned?: boolean;
  identities?: string[];
  imdsPort: number;
  output: string;
}

const azIdentity = (identity: UserAssignedIdentity) => azResource(userAssignedIdentityResource(identity));

/** What a process on the host exports to reach its identities (IDENTITY_HEADER only when known). */
function hostEnvironment(host: IdentityHost, server: string, secret?: string): Record<string, string> {
  return {
    IDENTITY_ENDPOINT: `${server.replace(/\/+$/, '')}${APP_SERVICE_PATH}`,
    ...(secret !== undefined && { IDENTITY_HEADER: secret }),
    AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${host.imdsPort}`,
  };
}

/** A VM's identity in az's shape (`az vm identity show`), with the host's environment. */
function hostJson(host: IdentityHost, server: string, secret?: string) {
  return {
    name: host.name,
    tenantId: host.tenantId,
    type:
      [host.systemAssigned && 'SystemAssigned', host.userAssigned.length > 0 && 'UserAssigned']
        .filter(Boolean)
        .join(', ') || 'None',
    principalId: host.systemAssigned?.principalId ?? null,
    clientId: host.systemAssigned?.clientId ?? null,
    userAssignedIdentities: Object.fromEntries(
      host.userAssigned.map((i) => [i.resourceId, { clientId: i.clientId, principalId: i.principalId }]),
    ),
    imdsPort: host.imdsPort,
    environment: hostEnvironment(host, server, secret),
  };
}

/** `--identities`: ARM ids, client or principal ids, or names of the subscription's identities. */
async function resolveIdentities(
  tessera: Tessera,
  subscription: Subscription,
  references: readonly string[],
): Promise<UserAssignedIdentity[]> {
  const { userAssigned } = managedIdentitiesOf(tessera.db);
  const all = await userAssigned.list({ subscriptionId: subscription.subscriptionId });
  const resolved: UserAssignedIdentity[] = [];
  for (const reference of references) {
    const byId = await userAssigned.findByReference(subscription.tenantId, reference);
    const byName = all.filter((i) => i.name.toLowerCase() === reference.toLowerCase());
    if (!byId && byName.length > 1) {
      throw new TesseraError(
        'AmbiguousIdentity',
        `Several user-assigned identities are named '${reference}'; give its resource id instead.`,
      );
    }
    const found = byId ?? byName[0];
    if (!found) {
      throw new TesseraError(
        'ResourceNotFound',
        `The user-assigned identity '${reference}' was not found in the subscription '${subscription.subscriptionId}'.`,
      );
    }
    resolved.push(found);
  }
  return resolved;
}

const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** `az identity …` (user-assigned identities) and `identity host …` (where identities are used). */
export function registerIdentity(program: Command, io: CliIo): void {
  const identity = program.command('identity').description('Manage managed identities and identity hosts.');

  subscriptionCommand(identity, 'create', 'Create a user-assigned identity.')
    .requiredOption('-n, --name <name>', 'Name of the identity (3-128 letters, digits, - and _).')
    .requiredOption('-g, --resource-group <name>', 'Resource group.')
    .option('-l, --location <location>', "Location (default: the resource group's).")
    .option('--tags <pair...>', 'Space-separated tags: key[=value].')
    .action(async (options: CreateOptions) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) => {
        const group = await tessera.resourceGroups.get(subscription.subscriptionId, options.resourceGroup);
        const tags = parseTagPairs(options.tags);
        const { identity: created } = await managedIdentitiesOf(tessera.db).userAssigned.createOrUpdate({
          subscriptionId: subscription.subscriptionId,
          resourceGroup: group.name,
          name: options.name,
          location: options.location ?? group.location,
          ...(tags !== undefined && { tags }),
        });
        return azIdentity(created);
      });
      printJson(io, json);
    });

  subscriptionCommand(identity, 'show', 'Show a user-assigned identity.')
    .requiredOption('-n, --name <name>', 'Name of the identity.')
    .requiredOption('-g, --resource-group <name>', 'Resource group.')
    .action(async (options: IdentityOptions) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) =>
        azIdentity(
          await managedIdentitiesOf(tessera.db).userAssigned.get(
            subscription.subscriptionId,
            options.resourceGroup,
            options.name,
          ),
        ),
      );
      printJson(io, json);
    });

  subscriptionCommand(identity, 'list', 'List user-assigned identities.')
    .option('-g, --resource-group <name>', 'Only identities in this resource group.')
    .action(async (options: Omit<IdentityOptions, 'name' | 'resourceGroup'> & { resourceGroup?: string }) => {
      const json = await withSubscription(options, async (tessera, _tenant, subscription) => {
        if (options.resourceGroup !== undefined) {
          await tessera.resourceGroups.get(subscription.subscriptionId, options.resourceGroup);
        }
        const found = await managedIdentitiesOf(tessera.db).userAssigned.list({
          subscriptionId: subscription.subscriptionId,
          ...(options.resourceGroup !== undefined && { resourceGroup: options.resourceGroup }),
        });
        return found.map(azIdentity);
      });
      printJson(io, json);
    });

  subscriptionCommand(identity, 'delete', 'Delete a user-assigned identity (and its service principal).')
    .requiredOption('-n, --name <name>', 'Name of the identity.')
    .requiredOption('-g, --resource-group <name>', 'Resource group.')
    .action(async (options: IdentityOptions) => {
      await withSubscription(options, async (tessera, _tenant, subscription) => {
        const deleted = await managedIdentitiesOf(tessera.db).userAssigned.delete(
          subscription.subscriptionId,
          options.resourceGroup,
          options.name,
        );
        if (!deleted)
          throw resourceNotFound(USER_ASSIGNED_IDENTITY_TYPE, options.name, options.resourceGroup);
      });
    });

  registerIdentityHost(identity, io);
}

function registerIdentityHost(identity: Command, io: CliIo): void {
  const host = identity
    .command('host')
    .description('Manage identity hosts: stand-ins for a VM or an App Service that hold identities.');
  const hostCommand = (name: string, description: string) =>
    withServerOption(subscriptionCommand(host, name, description));

  hostCommand('create', 'Create a host; prints the environment its programs use (the secret only now).')
    .requiredOption('-n, --name <name>', 'Name of the host (unique).')
    .option('--system-assigned', 'Give the host a system-assigned identity.')
    .option('--identities <id...>', 'User-assigned identities to attach: resource ids, client ids or names.')
    .option('--imds-port <port>', 'Loopback port of the host IMDS (default: a free one).', parsePort, 0)
    .option('-o, --output <format>', "'json', or 'env' for lines to eval in a shell.", 'json')
    .action(async (options: HostCreateOptions) => {
      if (options.output !== 'json' && options.output !== 'env') {
        throw new TesseraError(
          'InvalidOutput',
          `The output format '${options.output}' is not 'json' or 'env'.`,
        );
      }
      const created = await withSubscription(options, async (tessera, tenant, subscription) => {
        const userAssigned = await resolveIdentities(tessera, subscription, options.identities ?? []);
        return managedIdentitiesOf(tessera.db).createHost({
          tenantId: tenant.id,
          name: options.name,
          systemAssigned: options.systemAssigned === true,
          userAssigned,
          imdsPort: options.imdsPort,
        });
      });
      if (options.output === 'env') {
        const environment = hostEnvironment(created.host, options.server, created.secret);
        for (const [name, value] of Object.entries(environment)) {
          io.stdout.write(`export ${name}=${shellQuote(value)}\n`);
        }
        return;
      }
      printJson(io, hostJson(created.host, options.server, created.secret));
    });

  hostCommand('show', 'Show a host.')
    .requiredOption('-n, --name <name>', 'Name of the host.')
    .action(async (options: HostOptions) => {
      const json = await withSubscription(options, async (tessera, tenant) => {
        const found = await managedIdentitiesOf(tessera.db).hosts.get(options.name);
        if (found.tenantId !== tenant.id) throw hostNotFound(options.name);
        return hostJson(found, options.server);
      });
      printJson(io, json);
    });

  hostCommand('list', "List the tenant's hosts.").action(async (options: Omit<HostOptions, 'name'>) => {
    const json = await withSubscription(options, async (tessera, tenant) =>
      (await managedIdentitiesOf(tessera.db).hosts.list(tenant.id)).map((h) => hostJson(h, options.server)),
    );
    printJson(io, json);
  });

  hostCommand('delete', 'Delete a host and its system-assigned identity.')
    .requiredOption('-n, --name <name>', 'Name of the host.')
    .action(async (options: HostOptions) => {
      await withSubscription(options, async (tessera, tenant) => {
        const { hosts } = managedIdentitiesOf(tessera.db);
        const found = await hosts.get(options.name);
        if (found.tenantId !== tenant.id) throw hostNotFound(options.name);
        await hosts.delete(found.name);
      });
    });
}
