import type { Command } from 'commander';
import { graphSignIn } from '../graphUsers.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { TenantOptions } from '../options.js';
import { parsePositiveInteger, tenantCommand, withTenant } from '../options.js';

interface SignInListOptions extends TenantOptions {
  user?: string;
  top?: number;
}

/** The sign-in log (Graph's auditLogs/signIns, which az reaches only through `az rest`). */
export function registerAdSignin(ad: Command, io: CliIo): void {
  const signin = ad.command('signin').description('Read the sign-in log.');

  tenantCommand(signin, 'list', 'List sign-in attempts, successful or not, newest first.')
    .option('--user <upn|id>', "Only this user's attempts (a UPN also finds attempts at names nobody has).")
    .option('--top <n>', 'At most this many entries (default: 100).', parsePositiveInteger)
    .action(async (options: SignInListOptions) => {
      const json = await withTenant(options, async (tessera, tenant) => {
        const top = options.top ?? 100;
        const { user } = options;
        const found = user === undefined ? undefined : await tessera.directory.users.find(tenant.id, user);
        const records = await tessera.signIns.log.list(tenant.id, {
          top,
          ...(found ? { userId: found.objectId } : user !== undefined && { userPrincipalName: user }),
        });
        return records.map(graphSignIn);
      });
      printJson(io, json);
    });
}
