import { Command } from 'commander';
import { registerAccount } from './commands/account.js';
import { registerAdApp } from './commands/adApp.js';
import { registerAdAppFederatedCredential } from './commands/adAppFederatedCredential.js';
import { registerAdGroup } from './commands/adGroup.js';
import { registerAppConfig } from './commands/appconfig.js';
import { registerAdSignin } from './commands/adSignin.js';
import { registerAdSp } from './commands/adSp.js';
import { registerAdUser } from './commands/adUser.js';
import { registerCa } from './commands/ca.js';
import { registerCreateForRbac } from './commands/createForRbac.js';
import { registerGroup } from './commands/group.js';
import { registerIdentity } from './commands/identity.js';
import { registerKeys } from './commands/keys.js';
import { registerLogin } from './commands/login.js';
import { registerMedia } from './commands/media.js';
import { registerMigrate } from './commands/migrate.js';
import { registerRole } from './commands/role.js';
import { registerStart } from './commands/start.js';
import { prepareDataFolder } from './dataFolder.js';
import { reportFailure } from './errors.js';
import type { CliIo } from './io.js';
import { needsExistingDataFolder, storeOf } from './options.js';
import type { DataOptions } from './options.js';
import { packageVersion } from './version.js';

/** A fresh program per run: commander keeps parsed option values on its command objects. */
export function buildProgram(io: CliIo): Command {
  // Subcommands made with .command() inherit these settings, so every level reports the same way.
  const program = new Command('tessera')
    .description(
      'Entra ID-compatible token authority, Azure RBAC and Azure services for local use, driven like az.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`ERROR: ${text.replace(/^error: /, '')}`),
    })
    .version(packageVersion(), '-v, --version', 'Print the version of Tessera.')
    // Before any command's own hooks: a data command runs only on a folder that exists.
    .hook('preAction', async (_program, command) => {
      if (needsExistingDataFolder(command)) await prepareDataFolder(storeOf(command.opts<DataOptions>()), io);
    });
  registerStart(program, io);
  registerCa(program, io);
  registerAccount(program, io);
  registerLogin(program, io);
  const ad = program
    .command('ad')
    .description('Manage applications, service principals, groups, users and the sign-in log.');
  registerAdApp(ad, io);
  registerAdAppFederatedCredential(ad, io);
  const sp = registerAdSp(ad, io);
  registerCreateForRbac(sp, io);
  registerAdGroup(ad, io);
  registerAdUser(ad, io);
  registerAdSignin(ad, io);
  registerRole(program, io);
  registerGroup(program, io);
  registerAppConfig(program, io);
  registerMedia(program, io);
  registerIdentity(program, io);
  registerKeys(program, io);
  registerMigrate(program, io);
  return program;
}

/** Runs one command line (without the `node` and script arguments) and returns its exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return reportFailure(io, error);
  }
}
