import { appConfigErrors } from '../errors.js';

/**
 * A key, label or name filter: a list of up to five alternatives, each an exact value or a
 * prefix (`abc*`). `undefined` stands for "no filter" (omitted, `*`, or a bare `*` alternative).
 */
export interface StringFilter {
  /** Exact values; `null` is the null label (`\0`). */
  exact: Array<string | null>;
  prefixes: string[];
}

export interface TagFilter {
  name: string;
  /** `null` matches a tag whose value is null (`name=\0`). */
  value: string | null;
}

const MAX_ALTERNATIVES = 5;
const MAX_TAG_FILTERS = 5;
const ESCAPE = '\\';
/** Sent as %00: the null label, or a null tag value. */
const NUL = '\u0000';

interface Segment {
  text: string;
  /** Where the segment starts in the parameter, for error positions. */
  start: number;
}

/** Splits on `separator` where it is not escaped; at most `limit` segments when given. */
function splitUnescaped(text: string, separator: string, limit = Infinity): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ESCAPE) i++;
    else if (text[i] === separator && segments.length + 1 < limit) {
      segments.push({ text: text.slice(start, i), start });
      start = i + 1;
    }
  }
  segments.push({ text: text.slice(start), start });
  return segments;
}

/**
 * Removes escapes from one alternative. The reserved characters `*`, `,` and `\` must be escaped
 * inside a value; a trailing unescaped `*` makes the alternative a prefix when `allowPrefix`.
 */
function unescape(
  name: string,
  segment: Segment,
  options: { allowPrefix: boolean; reserved: string },
): { text: string; prefix: boolean } {
  let text = '';
  const { text: raw, start } = segment;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (c === ESCAPE) {
      if (i + 1 >= raw.length) throw appConfigErrors.invalidCharacter(name, start + i);
      text += raw[++i];
    } else if (c === '*' && options.allowPrefix && i === raw.length - 1) {
      return { text, prefix: true };
    } else if (options.reserved.includes(c)) {
      throw appConfigErrors.invalidCharacter(name, start + i);
    } else {
      text += c;
    }
  }
  return { text, prefix: false };
}

/**
 * Parses `key=`, `label=` or `name=` filter syntax. `nullable` (labels) reads `\0` and an empty
 * alternative as the null label.
 */
export function parseStringFilter(
  name: string,
  raw: string | undefined,
  options: { nullable: boolean },
): StringFilter | undefined {
  if (raw === undefined || (raw === '' && !options.nullable)) return undefined;
  const alternatives = splitUnescaped(raw, ',');
  if (alternatives.length > MAX_ALTERNATIVES) {
    throw appConfigErrors.invalidArgument(
      name,
      `${name}: At most ${MAX_ALTERNATIVES} comma-separated values may be given`,
    );
  }
  const filter: StringFilter = { exact: [], prefixes: [] };
  for (const alternative of alternatives) {
    if (options.nullable && (alternative.text === NUL || alternative.text === '')) {
      filter.exact.push(null);
      continue;
    }
    const { text, prefix } = unescape(name, alternative, { allowPrefix: true, reserved: '*,' });
    if (prefix && text === '') return undefined;
    if (prefix) filter.prefixes.push(text);
    else filter.exact.push(text);
  }
  return filter;
}

/** True when a label filter can match more than one label (snapshots of composition `key`). */
export const matchesSeveral = (filter: StringFilter | undefined): boolean =>
  filter === undefined || filter.prefixes.length > 0 || filter.exact.length > 1;

/** One `tags=name=value` filter; `=`, `*`, `,` and `\` must be escaped in names and values. */
export function parseTagFilter(raw: string): TagFilter {
  const parts = splitUnescaped(raw, '=', 2);
  const [namePart, valuePart] = parts;
  if (!namePart || !valuePart) {
    throw appConfigErrors.invalidArgument(
      'tags',
      `tags: The tag filter '${raw}' is not of the form name=value`,
    );
  }
  const name = unescape('tags', namePart, { allowPrefix: false, reserved: '*,=' }).text;
  if (name === '' || name === NUL) {
    throw appConfigErrors.invalidArgument('tags', 'tags: A tag filter needs a tag name');
  }
  const value =
    valuePart.text === NUL ? null : unescape('tags', valuePart, { allowPrefix: false, reserved: '*,=' }).text;
  return { name, value };
}

const NO_TAG_FILTERS: TagFilter[] = [];

/** All `tags` parameters: each must match (they are ANDed), at most five. */
export function parseTagFilters(raw: readonly string[]): TagFilter[] {
  if (raw.length === 0) return NO_TAG_FILTERS;
  if (raw.length > MAX_TAG_FILTERS) {
    throw appConfigErrors.invalidArgument(
      'tags',
      `tags: At most ${MAX_TAG_FILTERS} tag filters may be given`,
    );
  }
  return raw.map(parseTagFilter);
}
