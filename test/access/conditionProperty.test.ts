import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConditionAttributes } from '../../src/access/conditions/conditionAttributes.js';
import { compile, grantFor, holds } from '../../src/access/conditions/conditionEvaluation.js';
import { parseCondition, printCondition } from '../../src/access/conditions/conditionSyntax.js';

/**
 * Random conditions, written as text the way people write them (any keyword case, `&&`/`||`/`!`
 * or words, parentheses only where the grammar needs them, GUIDs with or without dashes, quoted or
 * bare), parsed by `parseCondition` and evaluated by the engine's two paths (`holds` on the whole
 * tree, and `grantFor` then `holds` on the residual), must give what this file's own evaluator of
 * the generated tree gives. The oracle implements Microsoft's "condition format and syntax" page
 * again, from its text, sharing no code with src/access. TESSERA_TEST_SEED replays a failure.
 */

const SEED = Number(process.env.TESSERA_TEST_SEED ?? Date.now() % 1_000_000);
const CASES = 400;
const ATTRIBUTE_SETS = 4;

function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(items.length)];
    if (item === undefined) throw new Error('empty choice');
    return item;
  };
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof generator>;

// ---- The generated tree (this file's own, not src/access's) ----

type Type = 'String' | 'Numeric' | 'DateTime' | 'Guid' | 'Bool';
type Source = 'Request' | 'Resource';
type Quantifier = 'ForAnyOfAnyValues' | 'ForAllOfAnyValues' | 'ForAnyOfAllValues' | 'ForAllOfAllValues';

/** A typed value: `text` is how the condition or the attributes spell it. */
interface Value {
  text: string;
}
type Side = { attribute: Source; name: string } | { values: Value[]; set: boolean };
interface Comparison {
  kind: 'compare';
  left: Side;
  right: Side;
  quantifier?: Quantifier;
  type: Type;
  /** The operator's name after its type: `Equals`, `NotLikeIgnoreCase`, … */
  name: string;
}
type Node =
  | { kind: 'and' | 'or'; items: Node[] }
  | { kind: 'not'; item: Node }
  | { kind: 'action'; pattern: string }
  | { kind: 'subOperation'; pattern: string }
  | { kind: 'exists'; source: Source; name: string }
  | Comparison;

type Attributes = {
  request: Record<string, string | string[]>;
  resource: Record<string, string | string[]>;
  subOperation?: string;
};

// ---- Vocabulary ----

const ATTRIBUTES: ReadonlyArray<[string, Type]> = [
  ['Microsoft.Test/things:name', 'String'],
  ['Microsoft.Test/things:count', 'Numeric'],
  ['Microsoft.Test/things:created', 'DateTime'],
  ['Microsoft.Test/things:ownerId', 'Guid'],
  ['Microsoft.Test/things:enabled', 'Bool'],
];
const GUIDS = [
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
];
const DATES = [
  '2021-12-31T23:59:59.9999999Z',
  '2022-06-01T00:00:00Z',
  '2022-06-01T00:00:00.0Z',
  '2022-06-01T00:00:00.0000001Z',
  '2023-01-01T12:00:00.5Z',
];
const OPERATIONS = [
  'microsoft.storage/storageaccounts/blobservices/containers/blobs/read',
  'microsoft.storage/storageaccounts/blobservices/containers/blobs/write',
  'microsoft.authorization/roleassignments/write',
  'contoso.widgets/widgets/read',
];
const ACTION_PATTERNS = [
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
  'microsoft.storage/*',
  '*/read',
  '*',
  'Microsoft.Authorization/roleAssignments/write',
  'Contoso.*/widgets/*',
];
const SUB_OPERATIONS = ['Blob.List', 'blob.read', 'Blob.*'];
const ORDERED = ['Equals', 'NotEquals', 'LessThan', 'LessThanEquals', 'GreaterThan', 'GreaterThanEquals'];
const STRING_OPERATORS = ['Equals', 'NotEquals', 'StartsWith', 'NotStartsWith', 'Like', 'NotLike'].flatMap(
  (n) => [n, `${n}IgnoreCase`],
);
const OPERATORS: Record<Type, readonly string[]> = {
  String: STRING_OPERATORS,
  Numeric: ORDERED,
  DateTime: ORDERED,
  Guid: ['Equals', 'NotEquals'],
  Bool: ['Equals', 'NotEquals'],
};
const QUANTIFIERS: readonly Quantifier[] = [
  'ForAnyOfAnyValues',
  'ForAllOfAnyValues',
  'ForAnyOfAllValues',
  'ForAllOfAllValues',
];

/** A value of `type` as a condition literal or an attribute would spell it (sometimes not of the type). */
function valueOf(type: Type, rng: Rng, forAttribute: boolean, hints: readonly string[] = []): Value {
  if (forAttribute && rng.chance(0.08)) return { text: rng.pick(['x', '1.5', 'not-a-guid', '']) };
  if (type === 'String' && hints.length > 0 && rng.chance(0.5)) return { text: rng.pick(hints) };
  switch (type) {
    case 'String': {
      // '*' and '?' too: `\*` in a StringLike pattern matches them alone.
      const pieces = ['a', 'b', 'A', 'B', '.', '/', '-', '*', '?'];
      let text = '';
      for (let i = rng.int(4); i > 0; i--) text += rng.pick(pieces);
      return { text };
    }
    case 'Numeric':
      return { text: String(rng.int(9) - 3) };
    case 'DateTime':
      return { text: rng.chance(0.05) ? '2021-02-30T00:00:00Z' : rng.pick(DATES) };
    case 'Guid': {
      const guid = rng.pick(GUIDS);
      const spelled = rng.chance(0.5) ? guid.replaceAll('-', '') : guid;
      return { text: rng.chance(0.5) ? spelled.toUpperCase() : spelled };
    }
    case 'Bool':
      return { text: rng.pick(['true', 'false', 'True', 'FALSE']) };
  }
}

/** A `StringLike` pattern: pieces, stars, question marks, and the escapes `\*` and `\?`. */
function likePattern(rng: Rng): Value {
  const pieces = ['a', 'b', 'A', '.', '/', '*', '*', '?', '\\*', '\\?'];
  let text = '';
  for (let i = rng.int(5); i > 0; i--) text += rng.pick(pieces);
  return { text };
}

// ---- Generation ----

function comparison(rng: Rng): Comparison {
  const [name, type] = rng.pick(ATTRIBUTES);
  const operator = rng.pick(OPERATORS[type]);
  const like = operator.includes('Like');
  const literal = () => (like ? likePattern(rng) : valueOf(type, rng, false));
  const attribute: Side = { attribute: rng.pick(['Request', 'Resource'] as const), name };
  const quantifier = rng.chance(0.5) ? rng.pick(QUANTIFIERS) : undefined;
  const values = (): Side =>
    quantifier
      ? { values: Array.from({ length: 1 + rng.int(3) }, literal), set: true }
      : { values: [literal()], set: rng.chance(0.15) };
  const shape = rng.int(10);
  // Mostly `@Source[a] op value(s)`; sometimes values on both sides or the attribute on the right.
  let left: Side = attribute;
  let right: Side = values();
  if (shape === 0) left = values();
  else if (shape === 1 && !like) [left, right] = [values(), attribute];
  return { kind: 'compare', left, right, ...(quantifier ? { quantifier } : {}), type, name: operator };
}

function node(rng: Rng, depth: number): Node {
  const roll = rng.int(depth >= 3 ? 6 : 10);
  if (roll < 3) return comparison(rng);
  if (roll === 3) return { kind: 'action', pattern: rng.pick(ACTION_PATTERNS) };
  if (roll === 4) {
    return rng.chance(0.5)
      ? { kind: 'exists', source: rng.pick(['Request', 'Resource'] as const), name: rng.pick(ATTRIBUTES)[0] }
      : { kind: 'subOperation', pattern: rng.pick(SUB_OPERATIONS) };
  }
  if (roll === 5 || roll === 6) return { kind: 'not', item: node(rng, depth + 1) };
  const items = Array.from({ length: 2 + rng.int(2) }, () => node(rng, depth + 1));
  return { kind: roll < 9 ? 'and' : 'or', items };
}

/** Azure's usual shape: a conjunction of `(!(ActionMatches{…})) OR (expression)`. */
function condition(rng: Rng): Node {
  if (rng.chance(0.5)) return node(rng, 0);
  const conjuncts = Array.from({ length: 1 + rng.int(2) }, (): Node => {
    const targets = Array.from({ length: 1 + rng.int(2) }, (): Node =>
      rng.chance(0.8)
        ? { kind: 'action', pattern: rng.pick(ACTION_PATTERNS) }
        : { kind: 'not', item: { kind: 'subOperation', pattern: rng.pick(SUB_OPERATIONS) } },
    );
    const target: Node = targets.length === 1 ? (targets[0] as Node) : { kind: 'and', items: targets };
    return { kind: 'or', items: [{ kind: 'not', item: target }, node(rng, 1)] };
  });
  return conjuncts.length === 1 ? (conjuncts[0] as Node) : { kind: 'and', items: conjuncts };
}

/** Text that could satisfy the tree's string comparisons: its literals, varied, and instances of its patterns. */
function hintsOf(n: Node, rng: Rng, into: string[] = []): string[] {
  if (n.kind === 'and' || n.kind === 'or') for (const item of n.items) hintsOf(item, rng, into);
  else if (n.kind === 'not') hintsOf(n.item, rng, into);
  else if (n.kind === 'compare' && n.type === 'String') {
    for (const side of [n.left, n.right]) {
      if ('attribute' in side) continue;
      for (const { text } of side.values) {
        if (n.name.includes('Like')) {
          const instance = () =>
            text.replace(/\\[*?]|[*?]/g, (m) =>
              m.length === 2
                ? (m[1] as string)
                : m === '?'
                  ? rng.pick(['a', 'B', '*'])
                  : rng.pick(['', 'b', 'a/A']),
            );
          into.push(instance(), instance().toUpperCase());
        } else into.push(text, text.toUpperCase(), `${text}a`);
      }
    }
  }
  return into;
}

function attributes(rng: Rng, hints: readonly string[]): Attributes {
  const result: Attributes = { request: {}, resource: {} };
  for (const source of ['request', 'resource'] as const) {
    for (const [name, type] of ATTRIBUTES) {
      const roll = rng.next();
      if (roll < 0.25) continue;
      // Names compare case-insensitively: the request may spell them otherwise.
      const key = rng.chance(0.2) ? name.toUpperCase() : name;
      result[source][key] =
        roll < 0.7
          ? valueOf(type, rng, true, hints).text
          : Array.from({ length: rng.int(4) }, () => valueOf(type, rng, true, hints).text);
    }
  }
  if (rng.chance(0.6)) result.subOperation = rng.pick(['Blob.List', 'blob.list', 'Blob.Read']);
  return result;
}

// ---- Printing, as a person might write it ----

function printer(rng: Rng) {
  const space = () => rng.pick([' ', ' ', '  ', '\n  ']);
  const maybe = () => rng.pick(['', '', ' ']);
  const cased = (word: string) => rng.pick([word, word, word.toLowerCase(), word.toUpperCase()]);
  const literal = (v: Value, type: Type) =>
    type === 'String' || type === 'DateTime' || rng.chance(0.3) ? `'${v.text}'` : v.text;
  const side = (s: Side, type: Type): string => {
    if ('attribute' in s) {
      const name = rng.chance(0.2) ? s.name.toLowerCase() : s.name;
      return `@${s.attribute}[${name}]`;
    }
    const items = s.values.map((v) => literal(v, type));
    return s.set ? `{${maybe()}${items.join(`,${maybe()}`)}${maybe()}}` : (items[0] ?? '');
  };
  const parenthesised = (n: Node) => `(${maybe()}${print(n)}${maybe()})`;
  /** A leaf or a NOT can stand alone; a connective inside another needs parentheses (AND/OR mixed). */
  const operand = (n: Node, parent: 'and' | 'or') =>
    (n.kind === 'and' || n.kind === 'or') && (n.kind !== parent || rng.chance(0.7))
      ? parenthesised(n)
      : rng.chance(0.3)
        ? parenthesised(n)
        : print(n);
  const print = (n: Node): string => {
    switch (n.kind) {
      case 'and':
      case 'or': {
        const word = n.kind === 'and' ? rng.pick(['AND', 'and', '&&']) : rng.pick(['OR', 'or', '||']);
        return n.items.map((i) => operand(i, n.kind as 'and' | 'or')).join(`${space()}${word}${space()}`);
      }
      case 'not': {
        const word = rng.pick(['!', 'NOT ', 'not ']);
        // NOT takes one term: a connective must be in parentheses, a leaf may be.
        const inner =
          n.item.kind === 'and' || n.item.kind === 'or' || rng.chance(0.6)
            ? parenthesised(n.item)
            : print(n.item);
        return `${word}${inner}`;
      }
      case 'action':
        return `${cased('ActionMatches')}{'${n.pattern}'}`;
      case 'subOperation':
        return `${cased('SubOperationMatches')}{'${n.pattern}'}`;
      case 'exists':
        return `${cased('Exists')} @${n.source}[${n.name}]`;
      case 'compare': {
        const op = `${n.quantifier ? `${cased(n.quantifier)}:` : ''}${cased(`${n.type}${n.name}`)}`;
        return `${side(n.left, n.type)}${space()}${op}${space()}${side(n.right, n.type)}`;
      }
    }
  };
  return print;
}

// ---- The oracle ----

/** Glob match: `*` any run, `?` one character (when `question`), `\*` `\?` themselves (when `escapes`). */
function globMatches(pattern: string, text: string, question: boolean, escapes: boolean): boolean {
  type Piece = { any: true } | { one: true } | { char: string };
  const pieces: Piece[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const next = pattern[i + 1];
    if (escapes && c === '\\' && (next === '*' || next === '?')) {
      pieces.push({ char: next });
      i++;
    } else if (c === '*') pieces.push({ any: true });
    else if (c === '?' && question) pieces.push({ one: true });
    else pieces.push({ char: c });
  }
  // can[j]: the first i pieces can match the first j characters.
  let can = Array.from({ length: text.length + 1 }, (_, j) => j === 0);
  for (const piece of pieces) {
    const next = new Array<boolean>(text.length + 1).fill(false);
    for (let j = 0; j <= text.length; j++) {
      if ('any' in piece) next[j] = (can[j] ?? false) || (j > 0 && (next[j - 1] ?? false));
      else if (j > 0 && can[j - 1]) next[j] = 'one' in piece || piece.char === text[j - 1];
    }
    can = next;
  }
  return can[text.length] ?? false;
}

const actionOracle = (pattern: string, operation: string) =>
  globMatches(pattern.toLowerCase(), operation.toLowerCase(), false, false);

/** A typed reading of a value: a number, a bigint of 100 ns ticks, a canonical GUID, or undefined. */
function read(type: Type, text: string): number | bigint | string | undefined {
  switch (type) {
    case 'String':
      return text;
    case 'Numeric':
      return /^-?[0-9]+$/.test(text) ? Number(text) : undefined;
    case 'Bool':
      return ['true', 'false'].includes(text.toLowerCase()) ? text.toLowerCase() : undefined;
    case 'Guid': {
      const hex = text.toLowerCase().replaceAll('-', '');
      const dashed = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
      return /^[0-9a-f]{32}$/.test(hex) && (dashed || !text.includes('-')) ? hex : undefined;
    }
    case 'DateTime': {
      const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,7}))?Z$/.exec(text);
      if (!m) return undefined;
      const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as number[];
      const days = [31, (y as number) % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
      if (
        (mo as number) < 1 ||
        (mo as number) > 12 ||
        (d as number) < 1 ||
        (d as number) > (days[(mo as number) - 1] as number)
      )
        return undefined;
      const seconds = Date.UTC(y as number, (mo as number) - 1, d as number, h, mi, s) / 1000;
      return BigInt(seconds) * 10_000_000n + BigInt((m[7] ?? '').padEnd(7, '0'));
    }
  }
}

function compareOne(c: Comparison, left: string, right: string): boolean {
  if (c.type === 'String') {
    const ignore = c.name.endsWith('IgnoreCase');
    const base = c.name.replace(/IgnoreCase$/, '');
    const negated = base.startsWith('Not');
    const a = ignore ? left.toLowerCase() : left;
    const b = ignore ? right.toLowerCase() : right;
    const test = base.replace(/^Not/, '');
    const result =
      test === 'Equals' ? a === b : test === 'StartsWith' ? a.startsWith(b) : globMatches(b, a, true, true);
    return result !== negated;
  }
  const a = read(c.type, left);
  const b = read(c.type, right);
  if (a === undefined || b === undefined) return false;
  switch (c.name) {
    case 'Equals':
      return a === b;
    case 'NotEquals':
      return a !== b;
    case 'LessThan':
      return a < b;
    case 'LessThanEquals':
      return a <= b;
    case 'GreaterThan':
      return a > b;
    case 'GreaterThanEquals':
      return a >= b;
  }
  throw new Error(`no operator ${c.name}`);
}

function sideValues(s: Side, attrs: Attributes): string[] | undefined {
  if (!('attribute' in s)) return s.values.map((v) => v.text);
  const bag = s.attribute === 'Request' ? attrs.request : attrs.resource;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === s.name.toLowerCase());
  if (key === undefined) return undefined;
  const value = bag[key] as string | string[];
  return typeof value === 'string' ? [value] : value;
}

function oracle(n: Node, operation: string, attrs: Attributes): boolean {
  switch (n.kind) {
    case 'and':
      return n.items.every((i) => oracle(i, operation, attrs));
    case 'or':
      return n.items.some((i) => oracle(i, operation, attrs));
    case 'not':
      return !oracle(n.item, operation, attrs);
    case 'action':
      return actionOracle(n.pattern, operation);
    case 'subOperation':
      return attrs.subOperation !== undefined && actionOracle(n.pattern, attrs.subOperation);
    case 'exists':
      return sideValues({ attribute: n.source, name: n.name }, attrs) !== undefined;
    case 'compare': {
      const left = sideValues(n.left, attrs);
      const right = sideValues(n.right, attrs);
      // A missing attribute makes the comparison false, whatever the operator.
      if (!left || !right) return false;
      const matches = (l: string) => ({
        any: right.some((r) => compareOne(n, l, r)),
        all: right.every((r) => compareOne(n, l, r)),
      });
      switch (n.quantifier) {
        case undefined:
          // Without a quantifier both sides are single values; a multi-valued one fails.
          return (
            left.length === 1 && right.length === 1 && compareOne(n, left[0] as string, right[0] as string)
          );
        case 'ForAnyOfAnyValues':
          return left.some((l) => matches(l).any);
        case 'ForAllOfAnyValues':
          return left.every((l) => matches(l).any);
        case 'ForAnyOfAllValues':
          return left.some((l) => matches(l).all);
        case 'ForAllOfAllValues':
          return left.every((l) => matches(l).all);
      }
    }
  }
}

describe('conditions: printed, parsed and evaluated as an independent oracle says', () => {
  it(`agrees on ${CASES} random conditions × ${ATTRIBUTE_SETS} attribute sets (seed ${SEED})`, (context) => {
    const rng = generator(SEED);
    const tally = { true: 0, false: 0, decidedByAction: 0 };
    for (let i = 0; i < CASES; i++) {
      const tree = condition(rng);
      const text = printer(rng)(tree);
      const where = `case ${i} (TESSERA_TEST_SEED=${SEED}): ${text}`;
      let parsed;
      try {
        parsed = parseCondition(text);
      } catch (error) {
        assert.fail(`${where}\ndoes not parse: ${(error as Error).message}`);
      }
      assert.deepEqual(parseCondition(printCondition(parsed)), parsed, `${where}\nprint → parse`);
      const compiled = compile(text);
      assert.equal(compiled.invalid, undefined, where);
      const hints = hintsOf(tree, rng);
      for (let k = 0; k < ATTRIBUTE_SETS; k++) {
        const operation = rng.pick(OPERATIONS);
        const attrs = attributes(rng, hints);
        const given: ConditionAttributes = attrs;
        const expected = oracle(tree, operation, attrs);
        const what = `${where}\nfor ${operation} with ${JSON.stringify(attrs)}`;
        assert.equal(holds(parsed, operation, given), expected, `holds: ${what}`);
        // The engine's path: the action fixed first, the residual evaluated on the attributes.
        const grant = grantFor(compiled, operation);
        if (typeof grant === 'boolean') {
          tally.decidedByAction++;
          assert.equal(grant, expected, `decided by the action alone: ${what}`);
        } else assert.equal(holds(grant.residual, operation, given), expected, `residual: ${what}`);
        tally[expected ? 'true' : 'false']++;
      }
    }
    context.diagnostic(JSON.stringify(tally));
    // Both answers, and both engine paths, must be well exercised or the agreement says little.
    const total = CASES * ATTRIBUTE_SETS;
    assert.ok(tally.true > total / 5 && tally.false > total / 5, JSON.stringify(tally));
    assert.ok(
      tally.decidedByAction > total / 10 && tally.decidedByAction < total * 0.9,
      JSON.stringify(tally),
    );
  });
});
