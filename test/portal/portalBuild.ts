import { execFile } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
 * against the portal in the tree. The build goes to a folder of its own and then takes
 * dist/portal's place, so a server reading dist/portal never sees half a build.
 */
export async function ensurePortalBuilt(): Promise<void> {
  if (!isStale()) return;
  const staging = join(ROOT, 'dist', `.portal-${process.pid}-${Date.now()}`);
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  try {
    await promisify(execFile)(
      process.execPath,
      [
        vite,
        'build',
        '--config',
        join(ROOT, 'portal', 'vite.config.ts'),
        '--outDir',
        staging,
        '--emptyOutDir',
      ],
      { cwd: ROOT, timeout: 120_000 },
    );
    const previous = `${staging}-previous`;
    if (existsSync(PORTAL_DIST)) renameSync(PORTAL_DIST, previous);
    renameSync(staging, PORTAL_DIST);
    rmSync(previous, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
