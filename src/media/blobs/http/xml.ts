/** The little XML the Blob service speaks: escaping out, and the five predefined entities in. */

const ESCAPES: Readonly<Record<string, string>> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};

export const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => ESCAPES[c] ?? c);

const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Character data with its references resolved; undefined when it holds a bare `&`, a `<` or a bad reference. */
export function unescapeXml(text: string): string | undefined {
  if (text.includes('<') || text.replace(ENTITY, '').includes('&')) return undefined;
  let invalid = false;
  const resolved = text.replace(ENTITY, (_m, name?: string, dec?: string, hex?: string) => {
    if (name) return NAMED[name] ?? '';
    const code = dec !== undefined ? Number(dec) : Number.parseInt(hex ?? '', 16);
    if (code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    invalid = true;
    return '';
  });
  return invalid ? undefined : resolved;
}
