/**
 * The ```sh blocks of a Markdown file, in order, with the walk markers that precede them.
 *
 * A marker is an HTML comment (invisible on GitHub) on the last non-blank line before a block:
 *
 *     <!-- readme-walk: checkout, server -->
 *     <!-- readme-walk: skip (why this block cannot run in a test) -->
 *
 * - `checkout`: the block runs in the checkout, where the README tells the reader to run it;
 *   unmarked blocks run from another folder.
 * - `server`: the block starts the server and keeps running; the walk runs it in the background and
 *   goes on once the server listens.
 * - `skip (reason)`: the block is not run, and the reason shows in the test's output. The reason is
 *   required: a block opts out only for a cause a reader can check.
 * An unknown word, or a skip without a reason, is an error, so a misspelt marker cannot silently
 * change how a block runs.
 */
export interface ShBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The block's text, without the fences and without the indentation of a list item. */
  script: string;
  checkout: boolean;
  server: boolean;
  skip?: string;
}

const FENCE = /^(\s*)```sh\s*$/;
const CLOSE = /^\s*```\s*$/;
const MARKER = /^\s*<!--\s*readme-walk:(.*?)-->\s*$/;

export function shBlocks(markdown: string): ShBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !CLOSE.test(lines[j] ?? ''); j++) body.push((lines[j] ?? '').slice(indent));
    if (j === lines.length) throw new Error(`line ${i + 1}: the sh block is never closed`);
    blocks.push({ line: i + 1, script: body.join('\n'), ...markerBefore(lines, i) });
    i = j;
  }
  return blocks;
}

function markerBefore(lines: readonly string[], fence: number): Omit<ShBlock, 'line' | 'script'> {
  let k = fence - 1;
  while (k >= 0 && (lines[k] ?? '').trim() === '') k--;
  const marker = MARKER.exec(lines[k] ?? '');
  const walk = { checkout: false, server: false } as Omit<ShBlock, 'line' | 'script'>;
  if (!marker) return walk;
  const text = marker[1]?.trim() ?? '';
  const skip = /^skip\s*\((.+)\)$/.exec(text);
  if (skip) return { ...walk, skip: skip[1]?.trim() };
  for (const word of text.split(',').map((w) => w.trim())) {
    if (word === 'checkout') walk.checkout = true;
    else if (word === 'server') walk.server = true;
    else {
      throw new Error(
        `line ${k + 1}: unknown readme-walk marker '${word}' (expected checkout, server or skip (reason))`,
      );
    }
  }
  return walk;
}
