import type { BlockInfo, BlockListEntry } from '../blobStore.js';
import { escapeXml, unescapeXml } from './xml.js';

const PROLOG = /^\uFEFF?\s*(?:<\?xml\s[^?]*\?>)?/;
const COMMENTS = /<!--[\s\S]*?-->/g;
const ROOT = /^\s*<BlockList(?:\s[^>]*)?(?:\/>|>([\s\S]*)<\/BlockList\s*>)\s*$/;
const ENTRY = /\s*<(Latest|Committed|Uncommitted)\s*>([^<]*)<\/\1\s*>/y;

const FROM = { Latest: 'latest', Committed: 'committed', Uncommitted: 'uncommitted' } as const;

/**
 * The body of Put Block List: `<BlockList>` with `<Latest>`, `<Committed>` and `<Uncommitted>`
 * ids in blob order. Undefined when it is not that document (the service's InvalidXmlDocument).
 */
export function parseBlockList(xml: string): BlockListEntry[] | undefined {
  const root = ROOT.exec(xml.replace(PROLOG, '').replace(COMMENTS, ''));
  if (!root) return undefined;
  const inner = root[1] ?? '';
  const entries: BlockListEntry[] = [];
  ENTRY.lastIndex = 0;
  while (ENTRY.lastIndex < inner.length) {
    const start = ENTRY.lastIndex;
    const match = ENTRY.exec(inner);
    if (!match) {
      if (inner.slice(start).trim() === '') break;
      return undefined;
    }
    const id = unescapeXml((match[2] ?? '').trim());
    if (id === undefined) return undefined;
    entries.push({ id, from: FROM[match[1] as keyof typeof FROM] });
  }
  return entries;
}

const blocks = (list: readonly BlockInfo[]): string =>
  list.map((b) => `<Block><Name>${escapeXml(b.id)}</Name><Size>${b.size}</Size></Block>`).join('');

/** Get Block List's answer; a list not asked for is left out, as the service does. */
export function blockListXml(committed?: readonly BlockInfo[], uncommitted?: readonly BlockInfo[]): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><BlockList>' +
    (committed ? `<CommittedBlocks>${blocks(committed)}</CommittedBlocks>` : '') +
    (uncommitted ? `<UncommittedBlocks>${blocks(uncommitted)}</UncommittedBlocks>` : '') +
    '</BlockList>'
  );
}
