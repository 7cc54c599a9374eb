import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
export const PORTAL_DIST = join(ROOT, 'dist', 'portal');
const SOURCES = [join(ROOT, 'portal'), join(ROOT, 'package-lock.json')];

/** The newest modification time among a file or a folder's files, in milliseconds. */
function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** Missing (a clean clone has no dist/) or older than a source of it. */
function isStale(): boolean {
  const index = join(PORTAL_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((source) => existsSync(source) && newest(source) > built);
}

/**
 * Builds dist/portal when it is missing or stale, as `npm run build` would, so the tests run
 * against the portal in the tree; that script never leaves a server half a build to read.
 */
export async function ensurePortalBuilt(): Promise<void> {
  if (!isStale()) return;
  // Test files run in parallel processes: one builds while the others wait, then find it fresh.
  const lock = join(ROOT, 'dist', '.portal-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (let waited = 0; ; waited++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than any build is left by a killed run.
      const since = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (waited >= 600 || since > 300_000) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    if (isStale()) await build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** `npm run build:portal`'s script, which swaps the new bundle in by renames. */
async function build(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'buildPortal.mjs')], {
    cwd: ROOT,
    timeout: 180_000,
  });
}
