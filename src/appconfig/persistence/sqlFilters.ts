import type { StringFilter, TagFilter } from '../filters/filterSyntax.js';
import type { AppConfigEngine } from './engineContract.js';

/** What a listing selects: key and label filters, and tag filters that must all match. */
export interface KeyValueQuery {
  key?: StringFilter;
  label?: StringFilter;
  tags: readonly TagFilter[];
}

// A surrogate without its pair: UTF-8 cannot encode it, so both engines store U+FFFD instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text as the engines store it (lone surrogates become U+FFFD), for comparisons with stored text. */
export const storedForm = (text: string): string => text.replace(LONE_SURROGATE, '\uFFFD');

/**
 * The exclusive upper bound of the strings that start with `prefix`, in the order both engines
 * compare text (SQLite's BINARY and PostgreSQL's collate "C": bytes of UTF-8, which is code point
 * order): the prefix with its last code point replaced by the next one (surrogates skipped; a last
 * U+10FFFF is dropped and the one before it moves instead). No string lies between the prefix's
 * strings and the bound, and the bound is valid text, which PostgreSQL requires of a text
 * parameter. Undefined when every code point is U+10FFFF: no upper bound at all.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...storedForm(prefix)];
  while (points.length > 0) {
    const last = (points.pop() ?? '').codePointAt(0) ?? 0;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

/** WHERE clauses and their parameters, in order. */
export class Conditions {
  private readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(clause: string, ...params: unknown[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  /** ` AND …` for every clause, or '' when there is none. */
  get sql(): string {
    return this.clauses.map((c) => ` AND ${c}`).join('');
  }
}

/**
 * A string filter on a column (an indexed one: each alternative is an equality or a range).
 * `resumeAfter` is the value the page starts after: a prefix range then starts there, so paging
 * through a long prefix seeks instead of rescanning what earlier pages returned.
 */
export function addStringFilter(
  conditions: Conditions,
  column: string,
  filter: StringFilter | undefined,
  resumeAfter?: string,
): void {
  if (!filter) return;
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const value of filter.exact) {
    parts.push(`${column} = ?`);
    params.push(value ?? '');
  }
  for (const prefix of filter.prefixes) {
    const lower = resumeAfter !== undefined && resumeAfter.startsWith(prefix) ? resumeAfter : prefix;
    const upper = prefixUpperBound(prefix);
    if (upper === undefined) {
      parts.push(`${column} >= ?`);
      params.push(lower);
    } else {
      parts.push(`(${column} >= ? AND ${column} < ?)`);
      params.push(lower, upper);
    }
  }
  conditions.add(`(${parts.join(' OR ')})`, ...params);
}

/** Each tag filter must hold: the tags column (a JSON object) has that name with that value. */
export function addTagFilters(
  conditions: Conditions,
  engine: Pick<AppConfigEngine, 'tagCondition'>,
  tagsColumn: string,
  tags: readonly TagFilter[],
): void {
  for (const tag of tags) {
    const { clause, params } = engine.tagCondition(tagsColumn, tag);
    conditions.add(clause, ...params);
  }
}
