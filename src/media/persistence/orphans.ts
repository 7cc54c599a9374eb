import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../../store/database.js';
import { guidOf } from '../ids.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/**
 * Files of assets that no longer exist: an account deleted through ARM takes its rows with it
 * (cascade), not its containers and packages; a server that stopped between an asset's deletion
 * and its container's removal leaves one too. Run at start-up. The folders are listed before the
 * assets are read, so a container an upload is creating meanwhile (its asset committed first)
 * is never taken for an orphan.
 */
export async function removeOrphans(
  db: Store,
  folders: { blobs: string; packages: string },
  deleteContainer: (container: string) => Promise<void>,
): Promise<{ containers: number; packages: number }> {
  const containers = (await entries(folders.blobs)).filter((n) => /^asset-/.test(n) && GUID.test(n.slice(6)));
  const packages = (await entries(folders.packages)).filter((n) => GUID.test(n));
  if (containers.length === 0 && packages.length === 0) return { containers: 0, packages: 0 };
  const rows = await db
    .selectFrom('media_entities')
    .select('id')
    .where('entity_set', '=', 'Assets')
    .execute();
  const live = new Set(rows.map((r) => guidOf(r.id)).filter((g): g is string => g !== undefined));
  const orphanContainers = containers.filter((n) => !live.has(n.slice(6)));
  const orphanPackages = packages.filter((n) => !live.has(n));
  for (const container of orphanContainers) await deleteContainer(container);
  for (const name of orphanPackages) await rm(join(folders.packages, name), { recursive: true, force: true });
  return { containers: orphanContainers.length, packages: orphanPackages.length };
}
