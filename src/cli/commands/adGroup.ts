import type { Command } from 'commander';
import type { Group } from '../../directory/groups.js';
import { findPrincipal } from '../../directory/principals.js';
import { TesseraError } from '../../errors.js';
import { graphDateTime } from '../graph.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { TenantOptions } from '../options.js';
import { tenantCommand, withTenant } from '../options.js';

interface CreateOptions extends TenantOptions {
  displayName: string;
  mailNickname: string;
  description?: string;
}

interface GroupOptions extends TenantOptions {
  group: string;
}

interface MemberOptions extends GroupOptions {
  memberId: string;
}

/** Microsoft Graph's group, as `az ad group` prints it: a security group, not mail-enabled. */
const graphGroup = (group: Group) => ({
  id: group.objectId,
  createdDateTime: graphDateTime(group.createdAt),
  deletedDateTime: null,
  description: group.description,
  displayName: group.displayName,
  groupTypes: [],
  mail: null,
  mailEnabled: false,
  mailNickname: group.mailNickname,
  securityEnabled: true,
  securityIdentifier: null,
  visibility: null,
});

export function registerAdGroup(ad: Command, io: CliIo): void {
  const group = ad.command('group').description('Manage security groups.');

  tenantCommand(group, 'create', 'Create a security group.')
    .requiredOption('--display-name <name>', 'Display name of the group.')
    .requiredOption('--mail-nickname <name>', 'Mail nickname of the group.')
    .option('--description <text>', 'Description of the group.')
    .action(async (options: CreateOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) =>
        graphGroup(
          await directory.groups.create(tenant.id, {
            displayName: options.displayName,
            mailNickname: options.mailNickname,
            description: options.description,
          }),
        ),
      );
      printJson(io, json);
    });

  tenantCommand(group, 'list', 'List groups.')
    .option('--display-name <name>', 'Only groups with this display name.')
    .action(async (options: TenantOptions & { displayName?: string }) => {
      const json = await withTenant(options, async ({ directory }, tenant) =>
        (await directory.groups.list(tenant.id))
          .filter((g) => options.displayName === undefined || g.displayName === options.displayName)
          .map(graphGroup),
      );
      printJson(io, json);
    });

  tenantCommand(group, 'show', 'Show a group.')
    .requiredOption('-g, --group <id|name>', "The group's object id or display name.")
    .action(async (options: GroupOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) =>
        graphGroup(await directory.groups.get(tenant.id, options.group)),
      );
      printJson(io, json);
    });

  tenantCommand(group, 'delete', 'Delete a group.')
    .requiredOption('-g, --group <id|name>', "The group's object id or display name.")
    .action(async (options: GroupOptions) => {
      await withTenant(options, async ({ directory }, tenant) =>
        directory.groups.delete(await directory.groups.get(tenant.id, options.group)),
      );
    });

  const member = group.command('member').description('Manage group membership.');

  tenantCommand(member, 'add', 'Add a member (service principal or group) to a group.')
    .requiredOption('-g, --group <id|name>', "The group's object id or display name.")
    .requiredOption('--member-id <id>', "The member's object id.")
    .action(async (options: MemberOptions) => {
      await withTenant(options, async ({ directory }, tenant) =>
        directory.groups.addMember(await directory.groups.get(tenant.id, options.group), options.memberId),
      );
    });

  tenantCommand(member, 'remove', 'Remove a member from a group.')
    .requiredOption('-g, --group <id|name>', "The group's object id or display name.")
    .requiredOption('--member-id <id>', "The member's object id.")
    .action(async (options: MemberOptions) => {
      await withTenant(options, async ({ directory }, tenant) =>
        directory.groups.removeMember(await directory.groups.get(tenant.id, options.group), options.memberId),
      );
    });

  tenantCommand(member, 'list', 'List the direct members of a group.')
    .requiredOption('-g, --group <id|name>', "The group's object id or display name.")
    .action(async (options: GroupOptions) => {
      const json = await withTenant(options, async (tessera, tenant) => {
        const found = await tessera.directory.groups.get(tenant.id, options.group);
        const members = await tessera.directory.groups.members(found);
        return Promise.all(
          members.map(async (m) => {
            const principal = await findPrincipal(tessera.db, tenant.id, m.objectId);
            if (!principal)
              throw new TesseraError('MemberNotFound', `Member '${m.objectId}' no longer exists.`);
            return {
              '@odata.type':
                principal.type === 'Group' ? '#microsoft.graph.group' : '#microsoft.graph.servicePrincipal',
              id: principal.objectId,
              displayName: principal.displayName,
            };
          }),
        );
      });
      printJson(io, json);
    });
}
