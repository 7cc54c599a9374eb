import type { Command } from 'commander';
import { accountList } from './account.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { DataOptions } from '../options.js';
import { dataCommand, dataDirOf, withTessera } from '../options.js';

/**
 * az's habit, kept: `az login` ends by printing the accounts it can act in, and so does this. There
 * is nothing to sign in to, though: the CLI opens the data folder itself, so whoever can read the
 * folder (its database, its CA key) already holds every right a sign-in could grant, and a
 * password asked for here would protect nothing. People and applications sign in to the server.
 */
export function registerLogin(program: Command, io: CliIo): void {
  dataCommand(
    program,
    'login',
    'List the accounts the CLI acts in. No sign-in is needed: the CLI works on its data folder directly.',
  ).action(async (options: DataOptions) => {
    const dataDir = dataDirOf(options);
    io.stderr.write(
      `tessera needs no sign-in: it works on the data folder ${dataDir} directly, with the rights of ` +
        "the user running it. Choose the subscription it acts in with 'tessera account set'.\n",
    );
    printJson(io, await withTessera(options, (tessera) => accountList(tessera, dataDir, false)));
  });
}
