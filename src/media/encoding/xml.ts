/**
 * Just enough XML for the documents this encoder reads and writes: MES XML presets and SMIL
 * server manifests. Elements, attributes, text and the predefined/numeric entities; comments,
 * processing instructions, CDATA and a DOCTYPE without an internal subset are understood and
 * skipped (CDATA kept as text). Namespaces are not resolved: an element's `name` is its local
 * name, which is how both formats are matched (their namespace URIs varied between http/https).
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /\s*/y;

const localName = (qualified: string): string => qualified.slice(qualified.indexOf(':') + 1);

function decodeEntities(raw: string, at: number): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new XmlSyntaxError(`a bare '&' at offset ${at}`);
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    const value = named[entity];
    if (value === undefined) throw new XmlSyntaxError(`unknown entity ${match} at offset ${at}`);
    return value;
  });
}

/** The document's root element; throws XmlSyntaxError on anything malformed. */
export function parseXml(source: string): XmlElement {
  const text = source.replace(/^\uFEFF/, '');
  let pos = 0;

  const fail = (what: string): never => {
    throw new XmlSyntaxError(`${what} at offset ${pos}`);
  };
  const skipSpace = (): void => {
    SPACE.lastIndex = pos;
    SPACE.exec(text);
    pos = SPACE.lastIndex;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const match = NAME.exec(text);
    if (!match) return fail('expected a name');
    pos = NAME.lastIndex;
    return match[0];
  };
  const skipUntil = (terminator: string): void => {
    const end = text.indexOf(terminator, pos);
    if (end < 0) fail(`unterminated construct (expected '${terminator}')`);
    pos = end + terminator.length;
  };
  /** Comments, processing instructions and a DOCTYPE outside the root element. */
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<?', pos)) skipUntil('?>');
      else if (text.startsWith('<!--', pos)) skipUntil('-->');
      else if (text.startsWith('<!DOCTYPE', pos)) {
        if (text.indexOf('[', pos) >= 0 && text.indexOf('[', pos) < text.indexOf('>', pos))
          fail('a DOCTYPE with an internal subset is not supported');
        skipUntil('>');
      } else return;
    }
  };

  const readElement = (): XmlElement => {
    if (text[pos] !== '<') fail("expected '<'");
    pos++;
    const qualified = readName();
    const element: XmlElement = { name: localName(qualified), attributes: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return element;
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      const attribute = readName();
      skipSpace();
      if (text[pos] !== '=') fail(`expected '=' after attribute ${attribute}`);
      pos++;
      skipSpace();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") return fail('expected a quoted attribute value');
      const end = text.indexOf(quote, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = text.slice(pos + 1, end);
      if (raw.includes('<')) fail("'<' in an attribute value");
      element.attributes[localName(attribute)] = decodeEntities(raw, pos);
      pos = end + 1;
    }
    let content = '';
    for (;;) {
      if (pos >= text.length) fail(`element <${qualified}> is not closed`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== qualified) fail(`</${closing}> closes <${qualified}>`);
        skipSpace();
        if (text[pos] !== '>') fail("expected '>'");
        pos++;
        element.text = content.trim();
        return element;
      }
      if (text.startsWith('<!--', pos)) skipUntil('-->');
      else if (text.startsWith('<![CDATA[', pos)) {
        const start = pos + 9;
        skipUntil(']]>');
        content += text.slice(start, pos - 3);
      } else if (text.startsWith('<?', pos)) skipUntil('?>');
      else if (text[pos] === '<') element.children.push(readElement());
      else {
        const next = text.indexOf('<', pos);
        const end = next < 0 ? text.length : next;
        content += decodeEntities(text.slice(pos, end), pos);
        pos = end;
      }
    }
  };

  skipMisc();
  if (pos >= text.length) fail('no root element');
  const root = readElement();
  skipMisc();
  if (pos < text.length) fail('content after the root element');
  return root;
}

/** The first child with this local name, compared case-insensitively. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  const lower = name.toLowerCase();
  return element.children.find((c) => c.name.toLowerCase() === lower);
}

/** An attribute by name, compared case-insensitively. */
export function attribute(element: XmlElement, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(element.attributes))
    if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Text or attribute value escaped for either position. */
export const escapeXml = (value: string | number): string =>
  String(value).replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );
