import type { StringFilter, TagFilter } from '../filters/filterSyntax.js';

/** What a listing selects: key and label filters, and tag filters that must all match. */
export interface KeyValueQuery {
  key?: StringFilter;
  label?: StringFilter;
  tags: readonly TagFilter[];
}

/**
 * The exclusive upper bound of the strings that start with `prefix`, as SQLite compares text
 * (memcmp of UTF-8): the prefix with its last byte plus one. The last byte of UTF-8 text is at
 * most 0xBF, so this never carries; the result may not be valid UTF-8, which memcmp ignores. It
 * is bound as a blob and cast to text, because SQLite orders every blob after every text.
 */
export function prefixUpperBound(prefix: string): Buffer {
  const bound = Buffer.from(prefix, 'utf8');
  bound[bound.length - 1] = (bound[bound.length - 1] ?? 0) + 1;
  return bound;
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
    parts.push(`(${column} >= ? AND ${column} < CAST(? AS TEXT))`);
    params.push(lower, prefixUpperBound(prefix));
  }
  conditions.add(`(${parts.join(' OR ')})`, ...params);
}

/** Each tag filter is an EXISTS over the row's tags (a JSON object); all must hold. */
export function addTagFilters(conditions: Conditions, tagsColumn: string, tags: readonly TagFilter[]): void {
  for (const tag of tags) {
    if (tag.value === null) {
      conditions.add(
        `EXISTS (SELECT 1 FROM json_each(${tagsColumn}) AS t WHERE t.key = ? AND t.type = 'null')`,
        tag.name,
      );
    } else {
      conditions.add(
        `EXISTS (SELECT 1 FROM json_each(${tagsColumn}) AS t WHERE t.key = ? AND t.type = 'text' AND t.value = ?)`,
        tag.name,
        tag.value,
      );
    }
  }
}
