import type { ComplexTypeDef, EntityRecord, EntityTypeDef } from './edm.js';
import type { QueryValue } from './filter.js';
import { ExpressionParser } from './filter.js';

/**
 * `$orderby`: comma-separated keys, each an expression (usually a property path such as
 * `Created` or `Input/KeyFrameInterval`, but `tolower(Name)` works too) with an optional
 * lower-case `asc` or `desc`. Nulls sort first ascending and last descending, as SQL Server (the
 * service's store) sorts them; strings compare ordinally, as `$filter` compares them. Equal keys
 * compare 0: a stable sort keeps the caller's order for ties.
 */
export function compileOrderBy(
  text: string,
  type: EntityTypeDef,
  complexTypes: ReadonlyMap<string, ComplexTypeDef>,
): (a: EntityRecord, b: EntityRecord) => number {
  const parser = new ExpressionParser('$orderby', text, type, complexTypes);
  const keys: Array<{ evaluate: (e: EntityRecord) => QueryValue; sign: number }> = [];
  do {
    const expression = parser.expression();
    const descending = parser.keyword('desc');
    if (!descending) parser.keyword('asc');
    // A constant key (`$orderby=1`) orders nothing; it is accepted and skipped.
    if (!expression.constant) keys.push({ evaluate: expression.evaluate, sign: descending ? -1 : 1 });
  } while (parser.symbol(','));
  parser.expectEnd();

  return (a, b) => {
    for (const { evaluate, sign } of keys) {
      const order = compareValues(evaluate(a), evaluate(b));
      if (order !== 0) return sign * order;
    }
    return 0;
  };
}

/** null < everything; NaN sorts as equal to everything, which keeps the sort from failing. */
export function compareValues(x: QueryValue, y: QueryValue): number {
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}
