import type { TextCodec } from '../rows.js';

/**
 * PostgreSQL's text cannot hold U+0000 (nor can its JSON functions read the escape `\u0000`),
 * where SQLite's can: a value, description or tag sent with one would fail on PostgreSQL alone.
 * Free text is therefore stored with U+0000 as U+FFFF '0' and U+FFFF itself doubled, which
 * changes no other text, keeps equal texts equal (tag filters compare stored forms) and reads back
 * exactly. U+FFFF is a noncharacter, so real text almost never pays for the escape.
 */
const MARK = '\uFFFF';
const NUL = '\u0000';

export const postgresText: TextCodec = {
  identity: false,
  store: (text) =>
    text.includes(NUL) || text.includes(MARK)
      ? text.replaceAll(MARK, MARK + MARK).replaceAll(NUL, `${MARK}0`)
      : text,
  load: (text) =>
    text.includes(MARK)
      ? text.replace(/\uFFFF([0\uFFFF])/g, (_, c: string) => (c === '0' ? NUL : MARK))
      : text,
};

/**
 * A key, label or name a request compares with stored ones, as PostgreSQL can take it. Stored
 * keys, labels and snapshot names never hold a control character, so a value with U+0000 compares
 * with all of them as its text before the U+0000 followed by U+0001 does (equal to none; below,
 * above, or between them exactly where the original is): the answer is SQLite's, without the
 * character PostgreSQL refuses.
 */
export function comparableText(text: string): string {
  const nul = text.indexOf(NUL);
  return nul < 0 ? text : `${text.slice(0, nul)}\u0001`;
}
