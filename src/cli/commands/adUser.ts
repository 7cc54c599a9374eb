import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { graphUser, graphUserEntity } from '../graphUsers.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { TenantOptions } from '../options.js';
import { tenantCommand, withTenant } from '../options.js';

interface UserCreateOptions extends TenantOptions {
  displayName: string;
  userPrincipalName: string;
  password: string;
  mailNickname?: string;
  forceChangePasswordNextSignIn?: boolean;
}

interface UserIdOptions extends TenantOptions {
  id: string;
}

interface UserUpdateOptions extends UserIdOptions {
  displayName?: string;
  password?: string;
  accountEnabled?: boolean;
  forceChangePasswordNextSignIn?: boolean;
}

/** az's three-state flags: `--flag`, `--flag true` or `--flag false`. */
function parseBoolean(value: string): boolean {
  if (/^(true|yes|1)$/i.test(value)) return true;
  if (/^(false|no|0)$/i.test(value)) return false;
  throw new InvalidArgumentError("expected 'true' or 'false'.");
}

const forceChangeOption = () =>
  new Option(
    '--force-change-password-next-sign-in [bool]',
    'Make the user change the password at the next sign-in (password sign-ins then fail with AADSTS50055).',
  ).argParser(parseBoolean);

const ID_HELP = "The user's object id or user principal name.";

export function registerAdUser(ad: Command, io: CliIo): void {
  const user = ad.command('user').description('Manage users.');

  tenantCommand(user, 'create', 'Create a user.')
    .requiredOption('--display-name <name>', 'Display name of the user.')
    .requiredOption(
      '--user-principal-name <upn>',
      "Sign-in name, alias@<tenant domain>, e.g. 'alice@tessera.onmicrosoft.com'.",
    )
    .requiredOption(
      '--password <password>',
      'At least 8 characters with three of: lowercase, uppercase, digits, symbols.',
    )
    .option('--mail-nickname <alias>', 'Mail alias (default: the part of the UPN before @).')
    .addOption(forceChangeOption())
    .action(async (options: UserCreateOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) =>
        graphUserEntity(
          await directory.users.create(tenant, {
            userPrincipalName: options.userPrincipalName,
            displayName: options.displayName,
            password: options.password,
            mailNickname: options.mailNickname,
            forceChangePasswordNextSignIn: options.forceChangePasswordNextSignIn === true,
          }),
        ),
      );
      printJson(io, json);
    });

  tenantCommand(user, 'list', 'List users.')
    .option('--upn <upn>', 'Only the user with this user principal name.')
    .option('--display-name <name>', 'Only users with this display name.')
    .action(async (options: TenantOptions & { upn?: string; displayName?: string }) => {
      const json = await withTenant(options, async ({ directory }, tenant) => {
        const all = await directory.users.list(tenant.id);
        return all
          .filter(
            (u) =>
              options.upn === undefined || u.userPrincipalName.toLowerCase() === options.upn.toLowerCase(),
          )
          .filter((u) => options.displayName === undefined || u.displayName === options.displayName)
          .map(graphUser);
      });
      printJson(io, json);
    });

  tenantCommand(user, 'show', 'Show a user.')
    .requiredOption('--id <id>', ID_HELP)
    .action(async (options: UserIdOptions) => {
      const json = await withTenant(options, async ({ directory }, tenant) =>
        graphUserEntity(await directory.users.get(tenant.id, options.id)),
      );
      printJson(io, json);
    });

  tenantCommand(user, 'update', 'Update a user: display name, password, enabled state.')
    .requiredOption('--id <id>', ID_HELP)
    .option('--display-name <name>', 'New display name.')
    .option('--password <password>', "New password; ends the user's refresh tokens.")
    .addOption(
      new Option(
        '--account-enabled <bool>',
        "Enable or disable sign-in; disabling ends the user's refresh tokens.",
      ).argParser(parseBoolean),
    )
    .addOption(forceChangeOption())
    .action(async (options: UserUpdateOptions) => {
      await withTenant(options, async ({ directory }, tenant) => {
        const found = await directory.users.get(tenant.id, options.id);
        await directory.users.update(found, {
          displayName: options.displayName,
          password: options.password,
          accountEnabled: options.accountEnabled,
          forceChangePasswordNextSignIn: options.forceChangePasswordNextSignIn,
        });
      });
    });

  tenantCommand(user, 'delete', 'Delete a user, their group memberships and refresh tokens.')
    .requiredOption('--id <id>', ID_HELP)
    .action(async (options: UserIdOptions) => {
      await withTenant(options, async ({ directory }, tenant) =>
        directory.users.delete(await directory.users.get(tenant.id, options.id)),
      );
    });
}
