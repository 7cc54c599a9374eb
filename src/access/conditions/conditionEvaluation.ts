import { actionMatches } from '../actionPattern.js';
import type { ConditionAttributes } from './conditionAttributes.js';
import { compareValues, operatorNamed } from './conditionOperators.js';
import type { AttributeRef, Expr, Operand } from './conditionSyntax.js';
import { ConditionSyntaxError, parseCondition } from './conditionSyntax.js';

/**
 * How the engine evaluates a condition, in two steps. `specialize` fixes the action (known when
 * the check starts, and the only thing most conditions test for most actions): the result is
 * `true` or `false` when the action alone decides, else the rest of the tree, which `holds`
 * evaluates once the request's attributes are known. Both are memoised, so a conditional grant
 * costs a map lookup per check for every action its condition does not target.
 */

/** What a condition or a permission says for one action: decided, or left to the attributes. */
export type Grant = boolean | Residual;
export interface Residual {
  residual: Expr;
}

/** A compiled condition; `invalid` when its text does not parse (it then grants nothing). */
export interface CompiledCondition {
  text: string;
  expr?: Expr;
  invalid?: string;
  byAction: Map<string, Grant>;
}

const compiled = new Map<string, CompiledCondition>();
const COMPILED_LIMIT = 10_000;
const PER_ACTION_LIMIT = 10_000;

/** The condition's tree, parsed once per distinct text. Never throws. */
export function compile(text: string): CompiledCondition {
  let entry = compiled.get(text);
  if (!entry) {
    entry = { text, byAction: new Map() };
    try {
      entry.expr = parseCondition(text);
    } catch (error) {
      if (!(error instanceof ConditionSyntaxError)) throw error;
      entry.invalid = error.message;
    }
    if (compiled.size >= COMPILED_LIMIT) compiled.clear();
    compiled.set(text, entry);
  }
  return entry;
}

/** The condition for `operation` (lower-cased): an invalid one is false for every action. */
export function grantFor(condition: CompiledCondition, operation: string): Grant {
  let grant = condition.byAction.get(operation);
  if (grant === undefined) {
    const expr = condition.expr;
    const partial = expr ? specialize(expr, operation) : false;
    grant = typeof partial === 'boolean' ? partial : { residual: partial };
    if (condition.byAction.size >= PER_ACTION_LIMIT) condition.byAction.clear();
    condition.byAction.set(operation, grant);
  }
  return grant;
}

/** The tree with every `ActionMatches` replaced by its value for `operation`, then simplified. */
export function specialize(e: Expr, operation: string): Expr | boolean {
  switch (e.kind) {
    case 'actionMatches':
      return actionMatches(e.pattern, operation);
    case 'not': {
      const inner = specialize(e.item, operation);
      return typeof inner === 'boolean' ? !inner : { kind: 'not', item: inner };
    }
    case 'and':
    case 'or': {
      const decisive = e.kind === 'or';
      const rest: Expr[] = [];
      for (const item of e.items) {
        const part = specialize(item, operation);
        if (part === decisive) return decisive;
        if (typeof part !== 'boolean') rest.push(part);
      }
      if (rest.length === 0) return !decisive;
      return rest.length === 1 ? (rest[0] as Expr) : { kind: e.kind, items: rest };
    }
    default:
      return e;
  }
}

/** Both grants must hold (an assignment's condition and its role's). */
export function bothGrants(a: Grant, b: Grant): Grant {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return { residual: { kind: 'and', items: [a.residual, b.residual] } };
}

/** Either grant suffices (two permission blocks of one role). */
export function eitherGrant(a: Grant, b: Grant): Grant {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return { residual: { kind: 'or', items: [a.residual, b.residual] } };
}

const lookup = (
  values: ConditionAttributes['request'],
  name: string,
): string | readonly string[] | undefined => {
  if (!values) return undefined;
  const exact = values[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const key in values) if (key.toLowerCase() === lower) return values[key];
  return undefined;
};

/** An attribute's values; undefined when the request does not have it. */
function attributeValues(ref: AttributeRef, attributes: ConditionAttributes): readonly string[] | undefined {
  let value: string | readonly string[] | undefined;
  if (ref.source === 'Request') {
    value = lookup(attributes.request, ref.name);
    // The older form of SubOperationMatches: `@Request[subOperation] …:StringEqualsIgnoreCase {'…'}`.
    if (value === undefined && ref.name.toLowerCase() === 'suboperation') value = attributes.subOperation;
  } else if (ref.source === 'Resource') value = lookup(attributes.resource, ref.name);
  // Tessera knows no principal custom security attributes nor environment attributes: never present.
  if (value === undefined) return undefined;
  return typeof value === 'string' ? [value] : (value as readonly string[]);
}

const operandValues = (o: Operand, attributes: ConditionAttributes): readonly string[] | undefined =>
  o.kind === 'attribute' ? attributeValues(o, attributes) : o.values.map((v) => v.text);

/** Whether the (specialized) condition holds for these attributes; a missing attribute compares false. */
export function holds(e: Expr, operation: string, attributes: ConditionAttributes): boolean {
  switch (e.kind) {
    case 'and':
      return e.items.every((i) => holds(i, operation, attributes));
    case 'or':
      return e.items.some((i) => holds(i, operation, attributes));
    case 'not':
      return !holds(e.item, operation, attributes);
    case 'actionMatches':
      return actionMatches(e.pattern, operation);
    case 'subOperationMatches':
      return (
        attributes.subOperation !== undefined &&
        actionMatches(e.pattern, attributes.subOperation.toLowerCase())
      );
    case 'exists':
      return attributeValues(e.attribute, attributes) !== undefined;
    case 'compare': {
      const op = operatorNamed(e.operator);
      const left = operandValues(e.left, attributes);
      const right = operandValues(e.right, attributes);
      if (!op || !left || !right) return false;
      return compareValues(op, e.quantifier, left, right);
    }
  }
}
