import { mediaErrors } from '../errors.js';

/**
 * OData v3 literals as they appear in `$filter`, key predicates and function-call parameters.
 * Values take the in-memory shape of edm.ts, so a literal compares with a stored value directly:
 * DateTime and DateTimeOffset → epoch ms (UTC; a DateTime without an offset is read as UTC, as the
 * service stored UTC), Time → milliseconds, Guid → lower-case text, every number → a JS number.
 */
export type Literal =
  | { type: 'null'; value: null }
  | { type: 'Edm.String'; value: string }
  | { type: 'Edm.Boolean'; value: boolean }
  | { type: 'Edm.Int32' | 'Edm.Int64' | 'Edm.Decimal' | 'Edm.Double' | 'Edm.Single'; value: number }
  | { type: 'Edm.DateTime' | 'Edm.DateTimeOffset'; value: number }
  | { type: 'Edm.Guid'; value: string }
  | { type: 'Edm.Time'; value: number };

export type LiteralType = Literal['type'];

/** A literal that starts well but is malformed; callers turn it into their own 400. */
export class LiteralError extends Error {
  override readonly name = 'LiteralError';
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const isIdentifierStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentifierPart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * Reads the quoted text starting at `start` (which holds `'`): `''` is a quote inside the text.
 * Returns the text and the index after the closing quote.
 */
function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let from = start + 1;
  for (;;) {
    const close = text.indexOf("'", from);
    if (close < 0) throw new LiteralError('unterminated string literal');
    value += text.slice(from, close);
    if (text[close + 1] === "'") {
      value += "'";
      from = close + 2;
    } else {
      return { value, end: close + 1 };
    }
  }
}

// OData v3 numbers: no leading '.', no trailing '.', an optional type suffix.
const NUMBER = /-?(?:(\d+)(\.\d+)?([eE][+-]?\d+)?|INF|NaN)([dDfFmMlL])?/y;

function readNumber(text: string, start: number): { literal: Literal; end: number } {
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(text);
  if (!match) throw new LiteralError('invalid numeric literal');
  const [whole, digits, fraction, exponent, suffix] = match;
  const end = start + whole.length;
  if (isIdentifierPart(text[end]) || text[end] === '.') throw new LiteralError('invalid numeric literal');
  const body = suffix ? whole.slice(0, -1) : whole;
  const special = digits === undefined;
  const integral = !special && fraction === undefined && exponent === undefined;
  const value = special ? (body === 'NaN' ? NaN : body.startsWith('-') ? -Infinity : Infinity) : Number(body);
  switch (suffix?.toLowerCase()) {
    case 'l':
      if (!integral) throw new LiteralError(`'${whole}' is not a valid Int64 literal`);
      if (!inInt64(body)) throw new LiteralError(`'${whole}' is out of the range of Edm.Int64`);
      return { literal: { type: 'Edm.Int64', value }, end };
    case 'm':
      if (special || exponent !== undefined)
        throw new LiteralError(`'${whole}' is not a valid Decimal literal`);
      return { literal: { type: 'Edm.Decimal', value }, end };
    case 'd':
      return { literal: { type: 'Edm.Double', value }, end };
    case 'f':
      return { literal: { type: 'Edm.Single', value }, end };
  }
  if (special) return { literal: { type: 'Edm.Double', value }, end };
  if (integral) {
    if (value >= INT32_MIN && value <= INT32_MAX) return { literal: { type: 'Edm.Int32', value }, end };
    // Too big for Int32: WCF Data Services promoted it, to Int64 while it fits.
    if (inInt64(body)) return { literal: { type: 'Edm.Int64', value }, end };
    return { literal: { type: 'Edm.Double', value }, end };
  }
  return { literal: { type: exponent === undefined ? 'Edm.Decimal' : 'Edm.Double', value }, end };
}

function inInt64(text: string): boolean {
  const n = BigInt(text);
  return n >= INT64_MIN && n <= INT64_MAX;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * ISO 8601 as XmlConvert read it: date, optional time with seconds and up to seven fraction digits
 * (ticks; kept to the millisecond), optional `Z` or `±hh:mm`. No offset means UTC.
 */
export function parseIsoDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, Number(frac.padEnd(3, '0').slice(0, 3)));
  let ms = date.getTime();
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMinutes = Number(zone.slice(4, 6));
    if (offsetHours > 14 || offsetMinutes > 59) return undefined;
    ms -= sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return ms;
}

const DURATION = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** xsd:duration as Edm.Time (a TimeSpan): days, hours, minutes, seconds; no years or months. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text.endsWith('P') || text.endsWith('T')) return undefined;
  const [, negative, days = '0', hours = '0', minutes = '0', seconds = '0'] = m;
  const ms =
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Math.round(Number(seconds) * 1000);
  return negative ? -ms : ms;
}

const GUID = /^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
export const isGuid = (text: string): boolean => GUID.test(text);

function typedLiteral(prefix: string, content: string): Literal {
  switch (prefix) {
    case 'datetime':
    case 'datetimeoffset': {
      const value = parseIsoDateTime(content);
      if (value === undefined) throw new LiteralError(`'${content}' is not a valid ${prefix} literal`);
      return { type: prefix === 'datetime' ? 'Edm.DateTime' : 'Edm.DateTimeOffset', value };
    }
    case 'guid':
      if (!isGuid(content)) throw new LiteralError(`'${content}' is not a valid guid literal`);
      return { type: 'Edm.Guid', value: content.toLowerCase() };
    case 'time': {
      const value = parseDuration(content);
      if (value === undefined) throw new LiteralError(`'${content}' is not a valid time literal`);
      return { type: 'Edm.Time', value };
    }
    default:
      throw new LiteralError(`unrecognized literal type '${prefix}'`);
  }
}

/**
 * Reads the literal that starts at `start`. Returns undefined when none starts there (an
 * identifier, an operator); throws LiteralError when one starts but is malformed. Type prefixes
 * (`datetime'…'`) are matched case-insensitively, as ABNF strings are; `true`, `false`, `null`,
 * `INF` and `NaN` only as spelled.
 */
export function readLiteral(text: string, start: number): { literal: Literal; end: number } | undefined {
  const c = text[start];
  if (c === "'") {
    const { value, end } = readQuoted(text, start);
    return { literal: { type: 'Edm.String', value }, end };
  }
  if (isDigit(c) || (c === '-' && (isDigit(text[start + 1]) || text.startsWith('INF', start + 1)))) {
    return readNumber(text, start);
  }
  if (!isIdentifierStart(c)) return undefined;
  let end = start + 1;
  while (isIdentifierPart(text[end])) end++;
  const word = text.slice(start, end);
  if (text[end] === "'") {
    const quoted = readQuoted(text, end);
    return { literal: typedLiteral(word.toLowerCase(), quoted.value), end: quoted.end };
  }
  if (word === 'true' || word === 'false')
    return { literal: { type: 'Edm.Boolean', value: word === 'true' }, end };
  if (word === 'null') return { literal: { type: 'null', value: null }, end };
  if (/^(?:INF|NaN)[dDfF]?$/.test(word)) return readNumber(text, start);
  return undefined;
}

/** The whole of `text` as one literal; throws LiteralError otherwise. */
export function parseLiteral(text: string): Literal {
  const read = readLiteral(text, 0);
  if (!read) throw new LiteralError(`'${text}' is not a literal`);
  if (read.end !== text.length)
    throw new LiteralError(`unexpected '${text.slice(read.end)}' after the literal`);
  return read.literal;
}

const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;

/**
 * A function-call parameter (`CreateFileInfos?assetid='nb%3Acid%3AUUID%3A…'`,
 * `GetProtectionKeyId?contentKeyType=0`). Clients send it decoded once by URLSearchParams or still
 * percent-encoded (the key encoded inside its quotes, or the whole value `%27…%27`): the keys and
 * numbers of this API never hold a '%', so a value that still has `%xx` escapes is decoded once
 * more. A value that is no literal at all (`assetid=nb:cid:UUID:…`, no quotes) reads as the text
 * itself, which the service's clients also sent; `readFunctionParameter` then checks its type.
 */
export function parseFunctionParameter(raw: string, name = 'parameter'): Literal {
  let text = raw.trim();
  if (PERCENT_ESCAPE.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw mediaErrors.badRequest(`The value of the parameter '${name}' is not correctly percent-encoded.`);
    }
  }
  try {
    return parseLiteral(text);
  } catch (error) {
    if (!(error instanceof LiteralError)) throw error;
    // Text with quotes is a broken literal; anything else unquoted (a bare key, a thumbprint
    // starting with a digit) is bare text, whose type readFunctionParameter still checks.
    if (text.includes("'") || text === '') {
      throw mediaErrors.badRequest(`The value of the parameter '${name}' is not valid: ${error.message}.`);
    }
    return { type: 'Edm.String', value: text };
  }
}

export type ParameterType = 'Edm.String' | 'Edm.Guid' | 'Edm.Int32' | 'Edm.Int64' | 'Edm.Boolean';

/**
 * One function-call parameter from the query, converted to `type`. The name is matched
 * case-insensitively (`assetid`, `assetId`); given twice, missing when required, or of the wrong
 * type → 400. Numbers and booleans may also come quoted (`contentKeyType='0'`), as bodies do.
 */
export function readFunctionParameter(
  query: URLSearchParams,
  name: string,
  type: ParameterType,
  required = true,
): string | number | boolean | null | undefined {
  const lower = name.toLowerCase();
  const values = [...query.entries()].filter(([key]) => key.toLowerCase() === lower).map(([, v]) => v);
  if (values.length > 1) throw mediaErrors.badRequest(`The parameter '${name}' is given more than once.`);
  const [raw] = values;
  if (raw === undefined) {
    if (required) throw mediaErrors.badRequest(`The required parameter '${name}' is missing.`);
    return undefined;
  }
  const literal = parseFunctionParameter(raw, name);
  if (literal.type === 'null') {
    if (required) throw mediaErrors.badRequest(`The required parameter '${name}' is null.`);
    return null;
  }
  const wrong = () => mediaErrors.badRequest(`The value of the parameter '${name}' is not a valid ${type}.`);
  const text = literal.type === 'Edm.String' ? literal.value : undefined;
  switch (type) {
    case 'Edm.String':
      if (text === undefined) throw wrong();
      return text;
    case 'Edm.Guid':
      if (literal.type === 'Edm.Guid') return literal.value;
      if (text !== undefined && isGuid(text)) return text.toLowerCase();
      throw wrong();
    case 'Edm.Int32':
    case 'Edm.Int64': {
      const value =
        literal.type === 'Edm.Int32' || literal.type === 'Edm.Int64'
          ? literal.value
          : text !== undefined && /^-?\d{1,19}$/.test(text) && inInt64(text)
            ? Number(text)
            : undefined;
      if (value === undefined) throw wrong();
      if (type === 'Edm.Int32' && (value < INT32_MIN || value > INT32_MAX)) throw wrong();
      return value;
    }
    case 'Edm.Boolean':
      if (literal.type === 'Edm.Boolean') return literal.value;
      if (text === 'true' || text === 'false') return text === 'true';
      throw wrong();
  }
}
