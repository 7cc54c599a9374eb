import { access, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { TesseraError } from '../errors.js';
import { sqliteFile } from '../store/database.js';
import { Tessera } from '../tessera.js';
import { newDataFolderNotice } from './firstStart.js';
import type { CliIo } from './io.js';

/**
 * Where the server and the CLI keep their data unless told otherwise: one folder per user, so
 * `tessera` run from any directory talks to the same store and the same CA as `tessera start`.
 */
export const defaultDataDir = (): string => path.join(homedir(), '.tessera');

/**
 * Every command but `tessera start` works on a data folder that already exists. Creating one here
 * would give that command a new CA and a new tenant nobody else uses, which is the surprise a
 * mistyped `--data` or a command run as another user would otherwise cause.
 */
export async function requireDataFolder(dataDir: string): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(dataDir)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new TesseraError(
      'DataFolderNotFound',
      `There is no Tessera data folder at ${dataDir}. Create it by starting the server once ` +
        `(tessera start${dataArgument(dataDir)}), or point --data or TESSERA_DATA at an existing one.`,
    );
  }
  if (!isFolder) {
    throw new TesseraError('DataFolderNotFound', `The Tessera data folder ${dataDir} is not a folder.`);
  }
}

/**
 * Runs before every data command but `tessera start`: the folder must exist, and one that holds no
 * database yet (made by hand, or by a script that provisions before it starts the server) gets its
 * first tenant, subscription and administrator here, whose password is printed like the server's
 * first start prints it, since it is shown nowhere else.
 */
export async function prepareDataFolder(
  store: { dataDir: string; databaseUrl?: string; poolSize?: number },
  io: CliIo,
): Promise<void> {
  const { dataDir } = store;
  await requireDataFolder(dataDir);
  // A PostgreSQL database cannot be told new by a file: opening it is how (bootstrap does nothing
  // when it has a tenant).
  if (store.databaseUrl === undefined && (await exists(sqliteFile(dataDir)))) return;
  const tessera = await Tessera.open(store);
  try {
    const created = await tessera.bootstrap();
    if (created) io.stderr.write(newDataFolderNotice(created, dataDir));
  } finally {
    await tessera.close();
  }
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

const dataArgument = (dataDir: string): string =>
  dataDir === defaultDataDir() ? '' : ` --data ${JSON.stringify(dataDir)}`;
