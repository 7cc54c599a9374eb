import { chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Files that only Tessera's own user may read: signing keys, access keys, media live in them. */
const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;
const OTHERS = 0o077;

/**
 * Every file this process creates from now on is its owner's alone, whatever the folder's mode —
 * SQLite's database, WAL and shared-memory files, TLS keys, blobs, and what ffmpeg writes for it
 * (children inherit the mask). A mask rather than a mode per call site: no new call site can
 * forget it.
 */
export function restrictNewFiles(): void {
  process.umask(OTHERS);
}

export interface FolderWarning {
  warn(details: object, message: string): void;
}

/**
 * A data folder made by an older release (or copied with a loose umask): its files and folders
 * lose every permission of group and others. The folder itself is left as its owner set it, but
 * a folder others can read is reported, since its files' names (store and account names) show.
 */
export async function tightenDataFolder(dataDir: string, log: FolderWarning): Promise<number> {
  const top = await stat(dataDir);
  if ((top.mode & OTHERS) !== 0) {
    log.warn(
      { dataDir, mode: (top.mode & 0o777).toString(8) },
      `the data folder ${dataDir} can be read by other users than its owner; chmod 700 it`,
    );
  }
  return tighten(dataDir);
}

async function tighten(dir: string): Promise<number> {
  let changed = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      changed += await loosest(path, FOLDER_MODE);
      changed += await tighten(path);
    } else if (entry.isFile()) {
      changed += await loosest(path, FILE_MODE);
    }
  }
  return changed;
}

/** Removes group and others' bits; an owner's own bits (say, a folder's x) are kept. */
async function loosest(path: string, wanted: number): Promise<number> {
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & OTHERS) === 0) return 0;
  await chmod(path, (mode & ~OTHERS) | (wanted & 0o700 & mode));
  return 1;
}
