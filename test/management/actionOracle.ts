/**
 * Azure's action matching as its docs state it (case-insensitive, `*` any run of characters
 * anywhere), written apart from src/access so that tests comparing against the engine do not
 * share its mistakes.
 */
export const matches = (pattern: string, action: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  ).test(action);

export const any = (patterns: readonly string[], action: string): boolean =>
  patterns.some((p) => matches(p, action));
