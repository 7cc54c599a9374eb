/**
 * `text` with one character changed, always to a different one: the `fromEnd`-th before the end,
 * not counting base64 padding. Not the last: in base64 the last character may carry bits a
 * decoder ignores, so changing only it can leave the bytes as they were. (Overwriting the end
 * with a fixed string, `…AA`, does nothing when the text happens to end that way.)
 */
export function tamper(text: string, fromEnd = 2): string {
  const padding = /=*$/.exec(text)?.[0].length ?? 0;
  const at = text.length - padding - fromEnd;
  if (at < 0) throw new Error(`nothing to tamper with in '${text}'`);
  const replacement = text[at] === 'A' ? 'B' : 'A';
  return `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`;
}
