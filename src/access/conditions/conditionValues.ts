/**
 * The value types conditions compare, each with the one textual form Azure documents. A parse
 * returns undefined for text that is not of the type: a literal in a condition is refused when it
 * is checked (400), an attribute value simply fails its comparison.
 */

/** GUIDs compare case-insensitively, with or without dashes (built-in roles write them without). */
export function parseGuid(text: string): string | undefined {
  const compact = text.replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(compact)) return undefined;
  if (text.includes('-') && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) {
    return undefined;
  }
  return compact;
}

/** Integers only, as Azure's numeric operators; within 2^53 so comparisons are exact. */
export function parseInteger(text: string): number | undefined {
  if (!/^-?\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?Z$/;

/** `yyyy-mm-ddThh:mm:ss[.fffffff]Z` at full precision: 100 ns ticks since 1970, as a bigint. */
export function parseDateTime(text: string): bigint | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC rolls 2021-02-30 over to March: such a date is not a date.
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  const fraction = (m[7] ?? '').padEnd(7, '0');
  return BigInt(ms / 1000) * 10_000_000n + BigInt(fraction);
}

export function parseBool(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}
