import type { EntityRecord, EntityTypeDef, NavigationDef, PropertyDef } from '../edm.js';
import { keyPropertyOf } from '../model.js';

/**
 * How single values look on the wire, shared by the three serializers and the body reader:
 * keys in URLs, dates, durations, numbers, and XML escaping. Wire forms follow what WCF Data
 * Services (the original service's stack) wrote, since that is what the surviving clients parse.
 */

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const DATA_NS = 'http://schemas.microsoft.com/ado/2007/08/dataservices';
export const METADATA_NS = 'http://schemas.microsoft.com/ado/2007/08/dataservices/metadata';
export const SCHEME_NS = 'http://schemas.microsoft.com/ado/2007/08/dataservices/scheme';
export const RELATED_NS = 'http://schemas.microsoft.com/ado/2007/08/dataservices/related/';

/**
 * The key as it appears in a URL segment: `'nb%3Acid%3AUUID%3A…'` (the service percent-encoded
 * the colons; quotes stay literal, a quote inside the key is doubled), `guid'…'` for Edm.Guid keys.
 */
export function keyLiteral(type: EntityTypeDef, entity: EntityRecord): string {
  const keyName = keyPropertyOf(type);
  const key = String(entity[keyName] ?? '');
  if (guidKeyed(type)) return `guid'${key}'`;
  return `'${encodeURIComponent(key.includes("'") ? key.replaceAll("'", "''") : key)}'`;
}

const guidKeys = new Map<EntityTypeDef, boolean>();
function guidKeyed(type: EntityTypeDef): boolean {
  let guid = guidKeys.get(type);
  if (guid === undefined) {
    const keyName = keyPropertyOf(type);
    guid = type.properties.some((p) => p.name === keyName && p.type === 'Edm.Guid');
    guidKeys.set(type, guid);
  }
  return guid;
}

/** `Assets('nb%3Acid%3AUUID%3A…')`, relative to the API root. */
export const entityPath = (type: EntityTypeDef, entity: EntityRecord): string =>
  `${type.set}(${keyLiteral(type, entity)})`;

// ---------------------------------------------------------------- dates and durations

/**
 * ISO 8601 in UTC with the fraction .NET's round-trip form gives a millisecond value
 * (`FFFFFFF`: trailing zeros dropped, no dot for whole seconds): `2014-08-10T00:31:28.676Z`.
 * Every client of the service parsed its 7-digit fractions, and also parses these.
 *
 * Written with integer arithmetic rather than `Date#toISOString`, which costs as much as the rest
 * of an entity: a 1,000-entity listing formats 2,000 dates.
 */
export function formatIsoDateTime(ms: number): string {
  return isoParts(ms, true);
}

/** Whole seconds, as Atom's `<updated>` carries them. */
export const formatAtomUpdated = (ms: number): string => isoParts(ms, false);

const MIN_MS = -62135596800000; // 0001-01-01T00:00:00Z, .NET's DateTime.MinValue
const MAX_MS = 253402300799999; // 9999-12-31T23:59:59.999Z
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
const FRACTIONS = Array.from({ length: 1000 }, (_, i) =>
  i === 0 ? '' : `.${String(i).padStart(3, '0').replace(/0+$/, '')}`,
);

let cachedDay = Number.NaN;
let cachedDayText = '';

function isoParts(input: number, withFraction: boolean): string {
  // The model keeps dates inside .NET's DateTime range; clamp rather than throw while writing.
  const ms = Number.isFinite(input) ? Math.min(Math.max(Math.trunc(input), MIN_MS), MAX_MS) : MIN_MS;
  const day = Math.floor(ms / 86_400_000);
  const inDay = ms - day * 86_400_000;
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayText = civilDate(day);
  }
  const seconds = Math.floor(inDay / 1000);
  const time = `${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}`;
  return `${cachedDayText}T${time}${withFraction ? FRACTIONS[inDay % 1000] : ''}Z`;
}

/** `YYYY-MM-DD` for days since 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
}

/** Verbose JSON's `"\/Date(1431917232698)\/"`, as JSON text (the escaped slashes are the marker). */
export const jsonMsDate = (ms: number): string => `"\\/Date(${Math.trunc(ms)})\\/"`;

/** Edm.Time as XmlConvert wrote a TimeSpan: `PT1H`, `PT45S`, `P1DT2H30M`, `PT1.5S`, `PT0S`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'PT0S';
  const negative = ms < 0;
  let rest = Math.abs(Math.round(ms));
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  let out = negative ? '-P' : 'P';
  if (days) out += `${days}D`;
  if (hours || minutes || seconds || !days) {
    out += 'T';
    if (hours) out += `${hours}H`;
    if (minutes) out += `${minutes}M`;
    if (seconds || (!hours && !minutes)) out += `${seconds}S`;
  }
  return out;
}

/**
 * Edm.DateTime from any form a client sent: ISO 8601 with or without `Z`, offset and fraction (no
 * zone is UTC), a date alone, `/Date(ms)/` (the JSON `\/` escape already undone), and the US form
 * `12/5/2026 06:06:30 AM`. Returns epoch milliseconds, or undefined when the text is none of these.
 */
export function parseDateTime(text: string): number | undefined {
  const s = text.trim();
  if (s.length === 0 || s.length > 64) return undefined;
  const first = s.charCodeAt(0);
  if (first === 47 /* / */) return parseMsDate(s);
  return s.includes('/') ? parseUsDate(s) : parseIsoDate(s);
}

const MS_DATE = /^\/Date\((-?\d{1,16})([+-]\d{4})?\)\/$/;
function parseMsDate(s: string): number | undefined {
  const m = MS_DATE.exec(s);
  // The offset, when present, only says which zone the writer was in: the number is UTC.
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
function parseIsoDate(s: string): number | undefined {
  const m = ISO_DATE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const base = utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), fractionMs(frac));
  if (base === undefined) return undefined;
  if (!zone || zone.toUpperCase() === 'Z') return base;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  if (offsetMinutes > 14 * 60) return undefined;
  return base - sign * offsetMinutes * 60_000;
}

const US_DATE =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(?:\s*([AaPp][Mm]))?)?$/;
function parseUsDate(s: string): number | undefined {
  const m = US_DATE.exec(s);
  if (!m) return undefined;
  const [, mo, d, y, h = '0', mi = '0', sec = '0', frac = '', meridiem] = m;
  let hour = Number(h);
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    const pm = meridiem.toUpperCase() === 'PM';
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  return utc(Number(y), Number(mo), Number(d), hour, Number(mi), Number(sec), fractionMs(frac));
}

/** Digits after the decimal point, truncated to milliseconds as .NET's ticks → ms would. */
const fractionMs = (digits: string): number => (digits ? Number(digits.slice(0, 3).padEnd(3, '0')) : 0);

function utc(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number | undefined {
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999 (0001-01-01 is .NET's default).
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  if (date.getUTCDate() !== d) return undefined; // 31 April and the like rolled over
  return date.getTime();
}

const ISO_DURATION = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const DOTNET_TIMESPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

/** Edm.Time from `PT1H` / `P1DT2H` (XmlConvert's form) or `01:00:00` / `1.02:03:04.5` (TimeSpan's). */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s.length === 0 || s.length > 40) return undefined;
  const iso = ISO_DURATION.exec(s);
  if (iso && s !== 'P' && !/T$/i.test(s)) {
    const [, neg, d = '0', h = '0', mi = '0', sec = '0'] = iso;
    const ms =
      Number(d) * 86_400_000 + Number(h) * 3_600_000 + Number(mi) * 60_000 + Math.round(Number(sec) * 1000);
    return Number.isFinite(ms) ? (neg ? -ms : ms) : undefined;
  }
  const span = DOTNET_TIMESPAN.exec(s);
  if (!span) return undefined;
  const [, neg, d = '0', h = '0', mi = '0', sec = '0', frac = ''] = span;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  const ms =
    Number(d) * 86_400_000 +
    Number(h) * 3_600_000 +
    Number(mi) * 60_000 +
    Number(sec) * 1000 +
    fractionMs(frac);
  return neg ? -ms : ms;
}

// ---------------------------------------------------------------- numbers

/**
 * Edm.Double in JSON Light: a number, with `.0` on whole values as the service wrote them
 * (`"DurationInMinutes":440.0`); NaN and infinities as OData's strings.
 */
export function jsonDoubleMinimal(value: number): string {
  if (!Number.isFinite(value)) return nonFiniteJson(value);
  return Number.isInteger(value) && Math.abs(value) < 1e15 ? `${value}.0` : String(value);
}

/** Edm.Double in verbose JSON: a plain number (`"Progress":100`). */
export function jsonDoubleVerbose(value: number): string {
  return Number.isFinite(value) ? String(value) : nonFiniteJson(value);
}

const nonFiniteJson = (value: number): string =>
  Number.isNaN(value) ? '"NaN"' : value > 0 ? '"INF"' : '"-INF"';

/** A double as XmlConvert writes it (`440`, `0.5`, `INF`). */
export function xmlDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'INF' : '-INF';
  return String(value).replace('e+', 'E+').replace('e-', 'E-');
}

// ---------------------------------------------------------------- XML text

// The control characters are the point: XML 1.0 cannot carry them.
// eslint-disable-next-line no-control-regex
const XML_SPECIAL = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
// eslint-disable-next-line no-control-regex
const XML_SPECIAL_ALL = /[&<>"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const XML_REPLACEMENTS: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/**
 * Text safe for an element or a double-quoted attribute. Characters XML 1.0 cannot carry at all
 * (most C0 controls) become U+FFFD rather than making the document unreadable.
 */
export function escapeXml(text: string): string {
  if (!XML_SPECIAL.test(text)) return text;
  return text.replace(XML_SPECIAL_ALL, (c) => XML_REPLACEMENTS[c] ?? '\ufffd');
}

// ---------------------------------------------------------------- $select

/** `*` (or no $select) keeps everything; otherwise the named properties, in declaration order. */
export function selectedProperties(
  type: EntityTypeDef,
  select: readonly string[] | undefined,
): readonly PropertyDef[] {
  if (!select || select.includes('*')) return type.properties;
  return type.properties.filter((p) => select.includes(p.name));
}

export function selectedNavigation(
  type: EntityTypeDef,
  select: readonly string[] | undefined,
): readonly NavigationDef[] {
  if (!select || select.includes('*')) return type.navigation;
  return type.navigation.filter((n) => select.includes(n.name));
}

/** The `&$select=…` JSON Light appends to a context URL; nothing without a $select. */
export const selectSuffix = (select: readonly string[] | undefined): string =>
  select && select.length > 0 ? `&$select=${select.join(',')}` : '';
