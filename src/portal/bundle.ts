import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The portal's built files (`vite build` → `dist/portal`): `index.html`, unhashed files Vite
 * copies from `portal/public`, and content-hashed files under `assets/`.
 */
export interface PortalBundle {
  /** Absolute path of the bundle's folder. */
  readonly root: string;
}

/**
 * `<package>/dist/portal`: the nearest folder with a package.json above this module is the
 * package, whether the server runs from the sources (src/portal) or the build (dist/src/portal).
 */
export function defaultBundleRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the portal plugin');
    dir = parent;
  }
  return path.join(dir, 'dist', 'portal');
}

/** One file name segment as Vite writes them: no dot segments, separators or odd characters. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Far longer than the gap between scripts/buildPortal.mjs's two renames. */
const SWAP_GAP_MS = 5;

/** The folder the hashed, immutable files live in. */
export const ASSETS_DIR = 'assets';

export interface BundleFile {
  path: string;
  /**
   * The file, open: what is sent is what was found, even if a build swaps the bundle meanwhile.
   * Whoever receives it sends its stream or closes it.
   */
  handle: FileHandle;
  size: number;
  mtimeMs: number;
  /** Under assets/: the name carries a content hash, so the file never changes. */
  immutable: boolean;
}

/**
 * The bundle file a request path names (`assets/index-3fa9.js`, `favicon.svg`), opened, or
 * undefined when there is none. Only plain segments are looked up, so nothing outside the bundle
 * is ever reached, whatever the path says.
 */
export async function openBundleFile(
  bundle: PortalBundle,
  relative: string,
  again = true,
): Promise<BundleFile | undefined> {
  const segments = relative.split('/');
  if (segments.length > 4 || !segments.every((s) => SEGMENT.test(s))) return undefined;
  const file = path.join(bundle.root, ...segments);
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const info = await handle.stat();
    if (!info.isFile()) throw new Error('not a file');
    return {
      path: file,
      handle,
      size: info.size,
      mtimeMs: info.mtimeMs,
      immutable: segments[0] === ASSETS_DIR,
    };
  } catch {
    await handle?.close();
    // `npm run build:portal` swaps a new bundle in by two renames, between which the folder is
    // missing for an instant: a miss looks once more, after the gap if it is still open.
    if (!again) return undefined;
    if (!existsSync(bundle.root)) await sleep(SWAP_GAP_MS);
    return openBundleFile(bundle, relative, false);
  }
}

/** Whether the bundle has been built at all (its index.html is there). */
export const isBuilt = (bundle: PortalBundle): boolean => existsSync(path.join(bundle.root, 'index.html'));

/** Whether the last segment of a path looks like a file name (`x.js`), not a client route. */
export const namesAFile = (relative: string): boolean =>
  relative.startsWith(`${ASSETS_DIR}/`) || /\.[A-Za-z0-9]+$/.test(relative.split('/').pop() ?? '');
