import type { ComparisonOperator, FilterExpression, Literal, Operand } from './filter.js';

/** A Graph JSON representation, as filters and selects see it. */
export type Json = Record<string, unknown>;

type Scope = ReadonlyMap<string, unknown>;
const NO_VARIABLES: Scope = new Map();

/** Nested objects (lambda elements, complex values) are matched by name without regard to case. */
function member(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Json;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

function resolve(operand: Operand, entity: Json, scope: Scope): unknown {
  if (operand.kind === 'literal') return operand.value;
  let value: unknown = operand.variable === undefined ? entity : scope.get(operand.variable);
  for (const segment of operand.path) value = member(value, segment);
  return value;
}

/**
 * The directory compares strings without regard to case (UPNs, names, URIs and GUIDs alike);
 * values of other types compare as they are.
 */
function equal(left: unknown, right: unknown): boolean {
  if (typeof left === 'string' && typeof right === 'string')
    return left.toLowerCase() === right.toLowerCase();
  return (left ?? null) === (right ?? null);
}

function order(left: unknown, right: unknown): number | undefined {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') {
    const a = left.toLowerCase();
    const b = right.toLowerCase();
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return undefined;
}

function compare(op: ComparisonOperator, left: unknown, right: unknown): boolean {
  if (op === 'eq') return equal(left, right);
  if (op === 'ne') return !equal(left, right);
  const sign = order(left, right);
  if (sign === undefined) return false;
  if (op === 'gt') return sign > 0;
  if (op === 'ge') return sign >= 0;
  if (op === 'lt') return sign < 0;
  return sign <= 0;
}

function test(expression: FilterExpression, entity: Json, scope: Scope): boolean {
  switch (expression.kind) {
    case 'and':
      return test(expression.left, entity, scope) && test(expression.right, entity, scope);
    case 'or':
      return test(expression.left, entity, scope) || test(expression.right, entity, scope);
    case 'not':
      return !test(expression.operand, entity, scope);
    case 'compare':
      return compare(
        expression.op,
        resolve(expression.left, entity, scope),
        resolve(expression.right, entity, scope),
      );
    case 'in': {
      const value = resolve(expression.left, entity, scope);
      return expression.values.some((candidate: Literal) => equal(value, candidate));
    }
    case 'function': {
      const target = resolve(expression.target, entity, scope);
      const affix = resolve(expression.prefix, entity, scope);
      if (typeof target !== 'string' || typeof affix !== 'string') return false;
      const [t, a] = [target.toLowerCase(), affix.toLowerCase()];
      return expression.name === 'startswith' ? t.startsWith(a) : t.endsWith(a);
    }
    case 'lambda': {
      const collection = resolve(expression.collection, entity, scope);
      if (!Array.isArray(collection)) return false;
      const matches = (element: unknown) =>
        test(expression.body, entity, new Map([...scope, [expression.variable, element]]));
      return expression.quantifier === 'any' ? collection.some(matches) : collection.every(matches);
    }
  }
}

/** The predicate a parsed filter stands for, over Graph JSON representations. */
export function compileFilter(expression: FilterExpression): (entity: Json) => boolean {
  return (entity) => test(expression, entity, NO_VARIABLES);
}
