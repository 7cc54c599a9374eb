import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { guidOf } from '../ids.js';

/**
 * Encoder scratch space in the media folder, which every node shares: each run writes below a
 * folder of its own, named by task and node, so that a node starting never touches the runs of
 * the others, and the folders of a node that died are known by its expired leases.
 */
export const runFolderName = (taskId: string, node: string): string =>
  `${guidOf(taskId) ?? taskId.replace(/\W/g, '')}.${node}`;

export const runFolder = (workDir: string, taskId: string, node: string): string =>
  join(workDir, runFolderName(taskId, node));

/**
 * Removes every run folder that no live lease names: runs of nodes that died or stopped, and
 * folders of an older release (named by task alone). The folders are listed before the leases
 * are read, so a run that starts meanwhile (its lease is taken before its folder is made) is
 * never taken for an abandoned one.
 */
export async function removeAbandonedRuns(
  workDir: string,
  liveRuns: () => Promise<Set<string>>,
): Promise<void> {
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const entries = await readdir(workDir);
  if (entries.length === 0) return;
  const live = await liveRuns();
  for (const entry of entries) {
    if (!live.has(entry)) await rm(join(workDir, entry), { recursive: true, force: true });
  }
}
