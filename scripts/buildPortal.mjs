// `npm run build:portal`: Vite builds the portal into a folder of its own under dist/, which then
// takes dist/portal's place by renames. Vite's own build empties its output folder first and
// refills it over seconds, so a server running from this package (a developer's `npm start`, a
// test's server while another test runs `npm run build`) would answer 404 for the portal, or
// that it was never built, meanwhile. Renames leave a gap of microseconds instead, and an older
// bundle's pages keep loading until the new one is in place.
//
//   node scripts/buildPortal.mjs [folder]     dist/portal unless a folder is named
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const target = resolve(process.argv[2] ?? join(root, 'dist', 'portal'));
// Beside the target, so that the renames stay on one file system.
mkdirSync(dirname(target), { recursive: true });
const staging = join(dirname(target), `.portal-${process.pid}-${Date.now()}`);

try {
  const built = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(root, 'portal', 'vite.config.ts'),
      '--outDir',
      staging,
      '--emptyOutDir',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (built.status !== 0) process.exit(built.status ?? 1);
  swapIn(staging, target);
} finally {
  rmSync(staging, { recursive: true, force: true });
}

/**
 * Moves `from` into `to`'s place. Two builds may finish at once (parallel test processes, a
 * developer's build beside them): whichever renames last wins, and neither fails.
 */
function swapIn(from, to) {
  const aside = [];
  try {
    for (let attempt = 0; ; attempt++) {
      const previous = `${from}-previous-${attempt}`;
      try {
        renameSync(to, previous);
        aside.push(previous);
      } catch (error) {
        if (error.code !== 'ENOENT') throw error;
      }
      try {
        renameSync(from, to);
        return;
      } catch (error) {
        // Another build's folder arrived between the two renames: move it aside too.
        if ((error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') || attempt >= 10) throw error;
      }
    }
  } finally {
    for (const path of aside) if (existsSync(path)) rmSync(path, { recursive: true, force: true });
  }
}
