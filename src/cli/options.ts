import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { Tenant } from '../directory/model.js';
import { Tessera } from '../tessera.js';
import { resolveTenant } from './accounts.js';
import { defaultDataDir } from './dataFolder.js';

export interface DataOptions {
  data: string;
  /** A PostgreSQL URL (`--database`, TESSERA_DATABASE_URL): the store lives there. */
  database?: string;
  databasePoolSize?: number;
  /** Media Services blobs (`--media-dir`, TESSERA_MEDIA_DIR); `<data>/media` when not given. */
  mediaDir?: string;
}

export interface TenantOptions extends DataOptions {
  tenant?: string;
}

/** Where `tessera start` listens unless told otherwise. */
export const DEFAULT_PORT = 8443;

// Commands that may make their data folder; every other data command needs an existing one.
const folderCreators = new WeakSet<Command>();

/**
 * A subcommand of `parent` that works on a data folder (`--data`, env TESSERA_DATA, else
 * ~/.tessera). Only a command made with `createsFolder` (`tessera start`) may create the folder.
 */
export function dataCommand(
  parent: Command,
  name: string,
  description: string,
  { createsFolder = false } = {},
): Command {
  const command = parent
    .command(name)
    .description(description)
    .addOption(
      new Option('--data <dir>', 'Data folder, shared with a running server.')
        .env('TESSERA_DATA')
        .default(defaultDataDir(), '~/.tessera'),
    )
    .addOption(
      new Option(
        '--database <url>',
        'PostgreSQL database to keep the store in (postgres://user@host:port/name), shared by every node; ' +
          "without it, the data folder's SQLite file.",
      ).env('TESSERA_DATABASE_URL'),
    )
    .addOption(
      new Option(
        '--database-pool-size <n>',
        'Connections to PostgreSQL this process keeps at most (default 10).',
      )
        .env('TESSERA_DATABASE_POOL_SIZE')
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option(
        '--media-dir <dir>',
        'Folder for Media Services blobs (default: <data>/media); nodes on one database must share one.',
      ).env('TESSERA_MEDIA_DIR'),
    );
  if (createsFolder) folderCreators.add(command);
  return command;
}

/** Whether `command` works on a data folder that must already exist. */
export const needsExistingDataFolder = (command: Command): boolean =>
  !folderCreators.has(command) && command.options.some((option) => option.long === '--data');

/** A data-folder subcommand that acts in one tenant: `--tenant`, else the default subscription's. */
export function tenantCommand(parent: Command, name: string, description: string): Command {
  return dataCommand(parent, name, description).option(
    '--tenant <id|domain>',
    "Tenant to act in (default: the default subscription's, see 'tessera account set').",
  );
}

export const dataDirOf = (options: DataOptions): string => path.resolve(options.data);

/** Where the store of a data command lives: the data folder, and the database when one is named. */
export const storeOf = (options: DataOptions) => ({
  dataDir: dataDirOf(options),
  databaseUrl: options.database,
  poolSize: options.databasePoolSize,
  mediaDir: options.mediaDir === undefined ? undefined : path.resolve(options.mediaDir),
});

/** Opens the data folder for one command and always closes it, so the SQLite handle never leaks. */
export async function withTessera<T>(
  options: DataOptions,
  work: (tessera: Tessera) => Promise<T>,
): Promise<T> {
  const tessera = await Tessera.open(storeOf(options));
  try {
    return await work(tessera);
  } finally {
    await tessera.close();
  }
}

export function withTenant<T>(
  options: TenantOptions,
  work: (tessera: Tessera, tenant: Tenant) => Promise<T>,
): Promise<T> {
  return withTessera(options, async (tessera) =>
    work(tessera, await resolveTenant(tessera, dataDirOf(options), options.tenant)),
  );
}

/** az's convention for long values: `@path` means the contents of that file. */
export async function readValue(value: string): Promise<string> {
  return value.startsWith('@') ? readFile(value.slice(1), 'utf8') : value;
}

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1.');
  }
  return number;
}

export function parsePort(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  }
  return number;
}

export function parseDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(
      "expected an ISO 8601 date such as '2299-12-31' or '2030-01-01T00:00:00Z'.",
    );
  }
  return date;
}
