import type { Quantifier } from './conditionSyntax.js';
import { parseBool, parseDateTime, parseGuid, parseInteger } from './conditionValues.js';

/**
 * Comparison operators and the cross-product quantifiers of Azure's condition format. An
 * operator compares one value with one value; a value that is not of the operator's type makes
 * the comparison false (a literal of the wrong type never gets this far: it is refused when the
 * condition is checked).
 */

export type ValueType = 'String' | 'Numeric' | 'DateTime' | 'Guid' | 'Bool';

export interface Operator {
  type: ValueType;
  compare(left: string, right: string): boolean;
  /** Whether `text` is a valid literal for this operator. */
  accepts(text: string): boolean;
}

type Order = (c: number) => boolean;
const ORDERS: Record<string, Order> = {
  Equals: (c) => c === 0,
  NotEquals: (c) => c !== 0,
  LessThan: (c) => c < 0,
  LessThanEquals: (c) => c <= 0,
  GreaterThan: (c) => c > 0,
  GreaterThanEquals: (c) => c >= 0,
};

function ordered<T extends number | bigint | string>(
  type: ValueType,
  parse: (text: string) => T | undefined,
  names: readonly string[],
) {
  const entries: Array<[string, Operator]> = [];
  for (const name of names) {
    const order = ORDERS[name] as Order;
    entries.push([
      `${type}${name}`,
      {
        type,
        accepts: (text) => parse(text) !== undefined,
        compare(left, right) {
          const a = parse(left);
          const b = parse(right);
          if (a === undefined || b === undefined) return false;
          return order(a < b ? -1 : a > b ? 1 : 0);
        },
      },
    ]);
  }
  return entries;
}

/** `StringLike`: `*` any run, `?` one character, `\*` and `\?` themselves. */
const likeCache = new Map<string, RegExp>();
function likePattern(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = likeCache.get(key);
  if (!regex) {
    let body = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i] as string;
      const escaped = c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '?');
      if (escaped) body += `\\${pattern[++i] as string}`;
      else if (c === '*') body += '[\\s\\S]*';
      else if (c === '?') body += '[\\s\\S]';
      else body += c.replace(/[.+^${}()|[\]\\/*?]/g, '\\$&');
    }
    regex = new RegExp(`^${body}$`, ignoreCase ? 'iu' : 'u');
    if (likeCache.size >= 10_000) likeCache.clear();
    likeCache.set(key, regex);
  }
  return regex;
}

const STRING_FUNCTIONS: Record<string, (a: string, b: string, ignoreCase: boolean) => boolean> = {
  Equals: (a, b, i) => (i ? a.toLowerCase() === b.toLowerCase() : a === b),
  StartsWith: (a, b, i) => (i ? a.toLowerCase().startsWith(b.toLowerCase()) : a.startsWith(b)),
  Like: (a, b, i) => likePattern(b, i).test(a),
};

function stringOperators(): Array<[string, Operator]> {
  const entries: Array<[string, Operator]> = [];
  for (const [name, fn] of Object.entries(STRING_FUNCTIONS)) {
    for (const negated of [false, true]) {
      for (const ignoreCase of [false, true]) {
        entries.push([
          `String${negated ? 'Not' : ''}${name}${ignoreCase ? 'IgnoreCase' : ''}`,
          {
            type: 'String',
            accepts: () => true,
            compare: (a, b) => fn(a, b, ignoreCase) !== negated,
          },
        ]);
      }
    }
  }
  return entries;
}

const OPERATORS = new Map<string, Operator>(
  [
    ...stringOperators(),
    ...ordered('Numeric', parseInteger, Object.keys(ORDERS)),
    ...ordered('DateTime', parseDateTime, Object.keys(ORDERS)),
    ...ordered('Guid', parseGuid, ['Equals', 'NotEquals']),
    ...ordered('Bool', (t) => (parseBool(t) === undefined ? undefined : Number(parseBool(t))), [
      'Equals',
      'NotEquals',
    ]),
  ].map(([name, op]) => [name.toLowerCase(), op]),
);

/** The operator of that name (any case); undefined for a name Azure does not define. */
export const operatorNamed = (name: string): Operator | undefined => OPERATORS.get(name.toLowerCase());

/**
 * `left op right` over value lists. Without a quantifier both sides must be single values (a
 * multi-valued attribute fails the comparison); with one, Azure's any/all cross product.
 */
export function compareValues(
  op: Operator,
  quantifier: Quantifier | undefined,
  left: readonly string[],
  right: readonly string[],
): boolean {
  const anyRight = (l: string) => right.some((r) => op.compare(l, r));
  const allRight = (l: string) => right.every((r) => op.compare(l, r));
  switch (quantifier) {
    case undefined: {
      const [l] = left;
      const [r] = right;
      return left.length === 1 && right.length === 1 && op.compare(l as string, r as string);
    }
    case 'ForAnyOfAnyValues':
      return left.some(anyRight);
    case 'ForAllOfAnyValues':
      return left.every(anyRight);
    case 'ForAnyOfAllValues':
      return left.some(allRight);
    case 'ForAllOfAllValues':
      return left.every(allRight);
  }
}
