import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version in Tessera's package.json: the nearest package.json above this module, which is the
 * package's own whether it runs from the sources (src/cli) or from the build (dist/src/cli).
 */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) return (JSON.parse(text) as { version: string }).version;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the tessera CLI');
    dir = parent;
  }
}
