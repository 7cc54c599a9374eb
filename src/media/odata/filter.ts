import type { MediaError } from '../errors.js';
import { mediaErrors } from '../errors.js';
import type { ComplexTypeDef, EntityRecord, EntityTypeDef, NavigationDef, PropertyDef } from './edm.js';
import { isCollectionType, isPrimitive, NAMESPACE } from './edm.js';
import type { Literal } from './literals.js';
import { LiteralError, parseIsoDateTime, readLiteral } from './literals.js';

/**
 * `$filter` (and the expressions of `$orderby`) as WCF Data Services v3 read them: operators and
 * function names are case-sensitive lower case (`EQ` is a syntax error there too), property names
 * are case-sensitive, operators need spaces around them. The text is parsed once into a tree of
 * closures, constant sub-expressions folded, so a compiled filter costs a few property reads and
 * comparisons per entity and nothing is ever evaluated as code.
 *
 * Semantics, where OData leaves room: `eq`/`ne` compare null as a value (`Name eq null`); an
 * ordering comparison with null is false; functions of null are null, and `and`/`or`/`not` are
 * three-valued as in SQL, an entity passing only when the filter is true. Strings compare
 * ordinally (case-sensitive, by UTF-16 code unit); Guids ignoring case; DateTime values as instants.
 * Integer `div` truncates and a division by zero yields null rather than a server error; `round`
 * rounds half away from zero (SQL Server's ROUND, the service's store); `substring` clamps an
 * out-of-range start or length instead of failing.
 */

export type QueryValue = string | number | boolean | null;

/** How values of an expression compare; several EDM types share one. */
export type ValueKind = 'string' | 'guid' | 'int' | 'float' | 'boolean' | 'datetime' | 'time' | 'null';

export interface CompiledExpression {
  kind: ValueKind;
  /** The EDM type named in error messages. */
  edm: string;
  evaluate: (entity: EntityRecord) => QueryValue;
  /** Present when the value does not depend on the entity. */
  constant?: { value: QueryValue };
}

export const MAX_EXPRESSION_LENGTH = 4096;
export const MAX_EXPRESSION_DEPTH = 50;

const KINDS: Readonly<Record<string, ValueKind>> = {
  'Edm.String': 'string',
  'Edm.Guid': 'guid',
  'Edm.Byte': 'int',
  'Edm.SByte': 'int',
  'Edm.Int16': 'int',
  'Edm.Int32': 'int',
  'Edm.Int64': 'int',
  'Edm.Single': 'float',
  'Edm.Double': 'float',
  'Edm.Decimal': 'float',
  'Edm.Boolean': 'boolean',
  'Edm.DateTime': 'datetime',
  'Edm.DateTimeOffset': 'datetime',
  'Edm.Time': 'time',
  null: 'null',
};

const toNumber = (v: unknown): QueryValue => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? null : n;
  }
  return null;
};

/** Stored values to the shape comparisons expect; a value of the wrong shape reads as null. */
const NORMALIZE: Readonly<Record<ValueKind, (v: unknown) => QueryValue>> = {
  string: (v) =>
    typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null,
  guid: (v) => (typeof v === 'string' ? v.toLowerCase() : null),
  int: toNumber,
  float: toNumber,
  time: toNumber,
  datetime: (v) =>
    typeof v === 'number'
      ? v
      : v instanceof Date
        ? v.getTime()
        : typeof v === 'string'
          ? (parseIsoDateTime(v) ?? null)
          : null,
  boolean: (v) => (typeof v === 'boolean' ? v : null),
  null: () => null,
};

type Token =
  | { kind: 'identifier'; text: string; position: number }
  | { kind: 'literal'; literal: Literal; text: string; position: number }
  | { kind: 'symbol'; text: string; position: number }
  | { kind: 'end'; text: ''; position: number };

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const SYMBOLS = new Set(['(', ')', ',', '/', '-']);

function tokenize(text: string, fail: (reason: string) => MediaError): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (WHITESPACE.has(c)) {
      i++;
      continue;
    }
    let read;
    try {
      read = readLiteral(text, i);
    } catch (error) {
      if (error instanceof LiteralError) throw fail(`${error.message} at position ${i}`);
      throw error;
    }
    if (read) {
      tokens.push({ kind: 'literal', literal: read.literal, text: text.slice(i, read.end), position: i });
      i = read.end;
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < text.length && /[A-Za-z0-9_]/.test(text[end] ?? '')) end++;
      tokens.push({ kind: 'identifier', text: text.slice(i, end), position: i });
      i = end;
    } else if (SYMBOLS.has(c)) {
      tokens.push({ kind: 'symbol', text: c, position: i });
      i++;
    } else {
      throw fail(`syntax error at position ${i}: unexpected character '${c}'`);
    }
  }
  tokens.push({ kind: 'end', text: '', position: text.length });
  return tokens;
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const ADDITIVE = new Set(['add', 'sub']);
const MULTIPLICATIVE = new Set(['mul', 'div', 'mod']);
const KEYWORDS = new Set([...COMPARISONS, ...ADDITIVE, ...MULTIPLICATIVE, 'and', 'or', 'not', 'asc', 'desc']);

type Evaluate = CompiledExpression['evaluate'];

const isNumeric = (kind: ValueKind): boolean => kind === 'int' || kind === 'float' || kind === 'null';

function comparable(a: ValueKind, b: ValueKind): boolean {
  if (a === 'null' || b === 'null' || a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  return (a === 'guid' && b === 'string') || (a === 'string' && b === 'guid');
}

/** An expression; folded to a constant when every operand is one (functions here are pure). */
function make(kind: ValueKind, edm: string, evaluate: Evaluate, operands: readonly CompiledExpression[]) {
  const expression: CompiledExpression = { kind, edm, evaluate };
  if (operands.every((o) => o.constant)) {
    const value = evaluate({});
    return { kind, edm, evaluate: () => value, constant: { value } };
  }
  return expression;
}

function constantOf(literal: Literal): CompiledExpression {
  const value = literal.value;
  return {
    kind: KINDS[literal.type] ?? 'null',
    edm: literal.type,
    evaluate: () => value,
    constant: { value },
  };
}

// Ordering works on JS values of one kind: numbers, strings (ordinal) and booleans (false < true).
type Ordered = number;
const ORDER: Readonly<Record<string, (a: QueryValue, b: QueryValue) => boolean>> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => a !== null && b !== null && (a as Ordered) > (b as Ordered),
  ge: (a, b) => a !== null && b !== null && (a as Ordered) >= (b as Ordered),
  lt: (a, b) => a !== null && b !== null && (a as Ordered) < (b as Ordered),
  le: (a, b) => a !== null && b !== null && (a as Ordered) <= (b as Ordered),
};

/** `x op constant`, the common shape (`State eq 1`), without the generic call. */
function compareWithConstant(op: string, left: Evaluate, c: QueryValue): Evaluate {
  if (c === null) {
    if (op === 'eq') return (e) => left(e) === null;
    if (op === 'ne') return (e) => left(e) !== null;
    return () => false;
  }
  const k = c as Ordered;
  switch (op) {
    case 'eq':
      return (e) => left(e) === c;
    case 'ne':
      return (e) => left(e) !== c;
    case 'gt':
      return (e) => {
        const v = left(e);
        return v !== null && (v as Ordered) > k;
      };
    case 'ge':
      return (e) => {
        const v = left(e);
        return v !== null && (v as Ordered) >= k;
      };
    case 'lt':
      return (e) => {
        const v = left(e);
        return v !== null && (v as Ordered) < k;
      };
    default:
      return (e) => {
        const v = left(e);
        return v !== null && (v as Ordered) <= k;
      };
  }
}

const MIRROR: Readonly<Record<string, string>> = {
  eq: 'eq',
  ne: 'ne',
  gt: 'lt',
  ge: 'le',
  lt: 'gt',
  le: 'ge',
};

const lowerCase = (evaluate: Evaluate): Evaluate => {
  return (e) => {
    const v = evaluate(e);
    return typeof v === 'string' ? v.toLowerCase() : v;
  };
};

type Apply = (a: QueryValue, b?: QueryValue, c?: QueryValue) => QueryValue;
type ParamKind = 'string' | 'int' | 'numeric' | 'datetime';
interface FunctionDef {
  signatures: ReadonlyArray<{ params: readonly ParamKind[]; result: ValueKind; edm: string }>;
  /** Called with the non-null arguments given (a null one makes the result null). */
  apply: Apply;
}

const s = (v: QueryValue | undefined): string => v as string;
const n = (v: QueryValue | undefined): number => v as number;
const sig = (params: readonly ParamKind[], result: ValueKind, edm: string) => ({ params, result, edm });
const date = (v: QueryValue): Date => new Date(n(v));
const datePart = (part: (d: Date) => number): FunctionDef => ({
  signatures: [sig(['datetime'], 'int', 'Edm.Int32')],
  apply: (a) => part(date(a)),
});
const math = (f: (x: number) => number): FunctionDef => ({
  signatures: [sig(['numeric'], 'float', 'Edm.Double')],
  apply: (a) => f(n(a)),
});

function substring(text: string, start: number, length?: number): string {
  const from = Math.max(0, start);
  if (length === undefined) return text.slice(from);
  return length <= 0 ? '' : text.slice(from, from + length);
}

/** OData v3's canonical functions that apply to this model's types. */
const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map<string, FunctionDef>([
  [
    'substringof',
    {
      signatures: [sig(['string', 'string'], 'boolean', 'Edm.Boolean')],
      apply: (a, b) => s(b).includes(s(a)),
    },
  ],
  [
    'startswith',
    {
      signatures: [sig(['string', 'string'], 'boolean', 'Edm.Boolean')],
      apply: (a, b) => s(a).startsWith(s(b)),
    },
  ],
  [
    'endswith',
    {
      signatures: [sig(['string', 'string'], 'boolean', 'Edm.Boolean')],
      apply: (a, b) => s(a).endsWith(s(b)),
    },
  ],
  ['length', { signatures: [sig(['string'], 'int', 'Edm.Int32')], apply: (a) => s(a).length }],
  [
    'indexof',
    { signatures: [sig(['string', 'string'], 'int', 'Edm.Int32')], apply: (a, b) => s(a).indexOf(s(b)) },
  ],
  [
    'replace',
    {
      signatures: [sig(['string', 'string', 'string'], 'string', 'Edm.String')],
      apply: (a, b, c) => (s(b) === '' ? s(a) : s(a).split(s(b)).join(s(c))),
    },
  ],
  [
    'substring',
    {
      signatures: [
        sig(['string', 'int'], 'string', 'Edm.String'),
        sig(['string', 'int', 'int'], 'string', 'Edm.String'),
      ],
      apply: (a, b, c) => substring(s(a), n(b), c === undefined ? undefined : n(c)),
    },
  ],
  ['tolower', { signatures: [sig(['string'], 'string', 'Edm.String')], apply: (a) => s(a).toLowerCase() }],
  ['toupper', { signatures: [sig(['string'], 'string', 'Edm.String')], apply: (a) => s(a).toUpperCase() }],
  ['trim', { signatures: [sig(['string'], 'string', 'Edm.String')], apply: (a) => s(a).trim() }],
  [
    'concat',
    { signatures: [sig(['string', 'string'], 'string', 'Edm.String')], apply: (a, b) => s(a) + s(b) },
  ],
  ['year', datePart((d) => d.getUTCFullYear())],
  ['month', datePart((d) => d.getUTCMonth() + 1)],
  ['day', datePart((d) => d.getUTCDate())],
  ['hour', datePart((d) => d.getUTCHours())],
  ['minute', datePart((d) => d.getUTCMinutes())],
  ['second', datePart((d) => d.getUTCSeconds())],
  ['round', math((x) => Math.sign(x) * Math.round(Math.abs(x)))],
  ['floor', math(Math.floor)],
  ['ceiling', math(Math.ceil)],
]);

function accepts(param: ParamKind, kind: ValueKind): boolean {
  if (kind === 'null') return true;
  if (param === 'numeric') return kind === 'int' || kind === 'float';
  return param === kind;
}

const ARITHMETIC: Readonly<Record<string, (a: number, b: number, integer: boolean) => number | null>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b, integer) => (integer ? (b === 0 ? null : Math.trunc(a / b)) : a / b),
  mod: (a, b, integer) => (integer && b === 0 ? null : a % b),
};

/**
 * A recursive-descent reader of one OData expression over one entity type, with WCF Data
 * Services' precedence: `or` < `and` < comparisons < `add`/`sub` < `mul`/`div`/`mod` < unary
 * `not`/`-` < primary. `$orderby` reuses it for its keys. Every error is a 400 naming `option`.
 */
export class ExpressionParser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;

  constructor(
    readonly option: string,
    text: string,
    private readonly type: EntityTypeDef,
    private readonly complexTypes: ReadonlyMap<string, ComplexTypeDef>,
  ) {
    if (text.length > MAX_EXPRESSION_LENGTH) {
      throw this.error(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
    }
    this.tokens = tokenize(text, (reason) => this.error(reason));
    if (this.token.kind === 'end') throw this.error('the expression is empty');
  }

  error(reason: string): MediaError {
    return mediaErrors.invalidQuery(this.option, reason);
  }

  private get token(): Token {
    // The last token is always 'end', and the index never passes it.
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.token;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isKeyword(word: string): boolean {
    return this.token.kind === 'identifier' && this.token.text === word;
  }

  /** Consumes the keyword `word` when it comes next. */
  keyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.index++;
    return true;
  }

  /** Consumes the symbol `text` when it comes next. */
  symbol(text: string): boolean {
    if (this.token.kind !== 'symbol' || this.token.text !== text) return false;
    this.index++;
    return true;
  }

  private unexpected(): MediaError {
    const token = this.token;
    if (token.kind === 'end')
      return this.error(`unexpected end of the expression at position ${token.position}`);
    const hint =
      token.kind === 'identifier' && KEYWORDS.has(token.text.toLowerCase()) && !KEYWORDS.has(token.text)
        ? ` (operators are lower case: '${token.text.toLowerCase()}')`
        : '';
    return this.error(`syntax error at position ${token.position}: unexpected '${token.text}'${hint}`);
  }

  private expectSymbol(text: string): void {
    if (!this.symbol(text)) {
      const token = this.token;
      if (token.kind === 'end') throw this.error(`'${text}' expected at position ${token.position}`);
      throw this.error(`'${text}' expected at position ${token.position} instead of '${token.text}'`);
    }
  }

  /** Fails unless the whole text has been read. */
  expectEnd(): void {
    if (this.token.kind !== 'end') throw this.unexpected();
  }

  private enter(position: number): void {
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      throw this.error(
        `the expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep at position ${position}`,
      );
    }
  }

  private leave(): void {
    this.depth--;
  }

  /** One whole expression (an `or` chain). */
  expression(): CompiledExpression {
    return this.logical('or', () => this.logical('and', () => this.comparison()));
  }

  private logical(op: 'and' | 'or', operand: () => CompiledExpression): CompiledExpression {
    const first = operand();
    if (!this.isKeyword(op)) return first;
    const operands = [first];
    const positions = [this.token.position];
    while (this.isKeyword(op)) {
      positions.push(this.next().position);
      operands.push(operand());
    }
    operands.forEach((o, i) => {
      if (o.kind !== 'boolean' && o.kind !== 'null') {
        throw this.error(
          `operator '${op}' incompatible with operand type '${o.edm}' at position ${positions[Math.max(i, 1)] ?? 0}`,
        );
      }
    });
    // Flattened, so a long chain neither recurses nor nests closures; three-valued as in SQL.
    const evals = operands.map((o) => o.evaluate);
    const decisive = op === 'and' ? false : true;
    const evaluate: Evaluate = (e) => {
      let unknown = false;
      for (const f of evals) {
        const v = f(e);
        if (v === decisive) return decisive;
        if (v === null) unknown = true;
      }
      return unknown ? null : !decisive;
    };
    return make('boolean', 'Edm.Boolean', evaluate, operands);
  }

  private comparison(): CompiledExpression {
    let left = this.binary(ADDITIVE, () => this.binary(MULTIPLICATIVE, () => this.unary()));
    while (this.token.kind === 'identifier' && COMPARISONS.has(this.token.text)) {
      const { text: op, position } = this.next();
      const right = this.binary(ADDITIVE, () => this.binary(MULTIPLICATIVE, () => this.unary()));
      left = this.compare(op, left, right, position);
    }
    return left;
  }

  private compare(op: string, left: CompiledExpression, right: CompiledExpression, position: number) {
    if (!comparable(left.kind, right.kind)) {
      throw this.error(
        `operator '${op}' incompatible with operand types '${left.edm}' and '${right.edm}' at position ${position}`,
      );
    }
    if (op !== 'eq' && op !== 'ne' && left.kind === 'null' && right.kind === 'null') {
      return make('boolean', 'Edm.Boolean', () => false, [left, right]);
    }
    // A Guid compares with a Guid or a string, ignoring case.
    const guid = left.kind === 'guid' || right.kind === 'guid';
    const l = guid && left.kind === 'string' ? lowerCase(left.evaluate) : left.evaluate;
    const r = guid && right.kind === 'string' ? lowerCase(right.evaluate) : right.evaluate;
    const rc =
      right.constant &&
      (guid && typeof right.constant.value === 'string'
        ? right.constant.value.toLowerCase()
        : right.constant.value);
    const lc =
      left.constant &&
      (guid && typeof left.constant.value === 'string'
        ? left.constant.value.toLowerCase()
        : left.constant.value);
    let evaluate: Evaluate;
    if (right.constant && !left.constant) evaluate = compareWithConstant(op, l, rc as QueryValue);
    else if (left.constant && !right.constant)
      evaluate = compareWithConstant(MIRROR[op] ?? op, r, lc as QueryValue);
    else {
      const test = ORDER[op] ?? ORDER.eq!;
      evaluate = (e) => test(l(e), r(e));
    }
    return make('boolean', 'Edm.Boolean', evaluate, [left, right]);
  }

  private binary(ops: ReadonlySet<string>, operand: () => CompiledExpression): CompiledExpression {
    let left = operand();
    while (this.token.kind === 'identifier' && ops.has(this.token.text)) {
      const { text: op, position } = this.next();
      left = this.arithmetic(op, left, operand(), position);
    }
    return left;
  }

  private arithmetic(op: string, left: CompiledExpression, right: CompiledExpression, position: number) {
    if (!isNumeric(left.kind) || !isNumeric(right.kind)) {
      throw this.error(
        `operator '${op}' incompatible with operand types '${left.edm}' and '${right.edm}' at position ${position}`,
      );
    }
    const integer = left.kind !== 'float' && right.kind !== 'float';
    const edm = !integer
      ? 'Edm.Double'
      : left.edm === 'Edm.Int64' || right.edm === 'Edm.Int64'
        ? 'Edm.Int64'
        : 'Edm.Int32';
    const apply = ARITHMETIC[op] ?? ARITHMETIC.add!;
    const l = left.evaluate;
    const r = right.evaluate;
    const evaluate: Evaluate = (e) => {
      const a = l(e);
      if (a === null) return null;
      const b = r(e);
      return b === null ? null : apply(a as number, b as number, integer);
    };
    return make(integer ? 'int' : 'float', edm, evaluate, [left, right]);
  }

  private unary(): CompiledExpression {
    const token = this.token;
    if (this.keyword('not')) {
      this.enter(token.position);
      const operand = this.unary();
      this.leave();
      if (operand.kind !== 'boolean' && operand.kind !== 'null') {
        throw this.error(
          `operator 'not' incompatible with operand type '${operand.edm}' at position ${token.position}`,
        );
      }
      const f = operand.evaluate;
      return make(
        'boolean',
        'Edm.Boolean',
        (e) => {
          const v = f(e);
          return v === null ? null : !v;
        },
        [operand],
      );
    }
    if (this.symbol('-')) {
      this.enter(token.position);
      const operand = this.unary();
      this.leave();
      if (!isNumeric(operand.kind)) {
        throw this.error(
          `operator '-' incompatible with operand type '${operand.edm}' at position ${token.position}`,
        );
      }
      const f = operand.evaluate;
      const kind = operand.kind === 'null' ? 'int' : operand.kind;
      return make(
        kind,
        operand.edm,
        (e) => {
          const v = f(e);
          return v === null ? null : -(v as number);
        },
        [operand],
      );
    }
    return this.primary();
  }

  private primary(): CompiledExpression {
    const token = this.token;
    if (token.kind === 'literal') {
      this.index++;
      return constantOf(token.literal);
    }
    if (token.kind === 'symbol' && token.text === '(') {
      this.index++;
      this.enter(token.position);
      const inner = this.expression();
      this.expectSymbol(')');
      this.leave();
      return inner;
    }
    if (token.kind === 'identifier' && !KEYWORDS.has(token.text)) {
      const following = this.tokens[this.index + 1];
      return following?.kind === 'symbol' && following.text === '(' ? this.call() : this.path();
    }
    throw this.unexpected();
  }

  private call(): CompiledExpression {
    const { text: name, position } = this.next();
    const def = FUNCTIONS.get(name);
    if (!def) throw this.error(`unknown function '${name}' at position ${position}`);
    this.next(); // '('
    this.enter(position);
    const args: CompiledExpression[] = [];
    if (!this.symbol(')')) {
      do args.push(this.expression());
      while (this.symbol(','));
      this.expectSymbol(')');
    }
    this.leave();
    const match = def.signatures.find(
      (candidate) =>
        candidate.params.length === args.length &&
        candidate.params.every((p, i) => accepts(p, args[i]?.kind ?? 'null')),
    );
    if (!match) {
      const given = args.map((a) => a.edm).join(', ');
      throw this.error(`no signature of the function '${name}' accepts (${given}) at position ${position}`);
    }
    const evals = args.map((a) => a.evaluate);
    const [a = () => null, b = () => null, c = () => null] = evals;
    const apply = def.apply;
    let evaluate: Evaluate;
    if (evals.length === 1) {
      evaluate = (e) => {
        const x = a(e);
        return x === null ? null : apply(x);
      };
    } else if (evals.length === 2) {
      evaluate = (e) => {
        const x = a(e);
        if (x === null) return null;
        const y = b(e);
        return y === null ? null : apply(x, y);
      };
    } else {
      evaluate = (e) => {
        const x = a(e);
        const y = b(e);
        const z = c(e);
        return x === null || y === null || z === null ? null : apply(x, y, z);
      };
    }
    return make(match.result, match.edm, evaluate, args);
  }

  private path(): CompiledExpression {
    let { text: name, position } = this.next();
    let ownerName = this.type.name;
    let properties: readonly PropertyDef[] = this.type.properties;
    let navigation: readonly NavigationDef[] = this.type.navigation;
    const names: string[] = [];
    for (;;) {
      const property = properties.find((p) => p.name === name);
      if (!property) {
        if (navigation.some((nav) => nav.name === name)) {
          throw this.error(
            `the navigation property '${name}' cannot be used in ${this.option} at position ${position}`,
          );
        }
        throw mediaErrors.unknownProperty(ownerName, name);
      }
      names.push(name);
      if (isCollectionType(property.type)) {
        throw this.error(
          `the collection property '${names.join('/')}' cannot be used in ${this.option} at position ${position}`,
        );
      }
      const slash = this.token.kind === 'symbol' && this.token.text === '/';
      if (isPrimitive(property.type)) {
        if (slash)
          throw this.error(
            `'${names.join('/')}' is of type '${property.type}' and has no members at position ${this.token.position}`,
          );
        const kind = KINDS[property.type];
        if (!kind)
          throw this.error(
            `the property '${names.join('/')}' of type '${property.type}' cannot be used in ${this.option}`,
          );
        return { kind, edm: property.type, evaluate: getter(names, NORMALIZE[kind]) };
      }
      const complexName = property.type.startsWith(`${NAMESPACE}.`)
        ? property.type.slice(NAMESPACE.length + 1)
        : property.type;
      const complex = this.complexTypes.get(complexName);
      if (!complex)
        throw this.error(`the property '${names.join('/')}' has the unknown type '${property.type}'`);
      if (!slash) {
        throw this.error(
          `the property '${names.join('/')}' is of complex type '${complexName}' and cannot be used as a value; name one of its properties`,
        );
      }
      this.index++;
      // Read afresh: `slash` narrowed `this.token` to the '/' just passed.
      const member = this.tokens[this.index] as Token;
      if (member.kind !== 'identifier' || KEYWORDS.has(member.text)) throw this.unexpected();
      this.index++;
      name = member.text;
      position = member.position;
      ownerName = complex.name;
      properties = complex.properties;
      navigation = [];
    }
  }
}

function getter(names: readonly string[], normalize: (v: unknown) => QueryValue): Evaluate {
  const [first = '', second] = names;
  if (names.length === 1) return (e) => normalize(e[first]);
  if (names.length === 2 && second !== undefined) {
    return (e) => {
      const outer = e[first];
      return outer !== null && typeof outer === 'object' ? normalize((outer as EntityRecord)[second]) : null;
    };
  }
  return (e) => {
    let v: unknown = e;
    for (const name of names) {
      if (v === null || typeof v !== 'object') return null;
      v = (v as EntityRecord)[name];
    }
    return normalize(v);
  };
}

/**
 * Compiles `$filter` once into a predicate. Any syntax error, unknown property or function, or
 * type mismatch → 400 (`mediaErrors.invalidQuery('$filter', …)`, `unknownProperty` for names).
 * Bounded: at most 4096 characters and 50 levels of nesting; the predicate is linear in the text.
 */
export function compileFilter(
  text: string,
  type: EntityTypeDef,
  complexTypes: ReadonlyMap<string, ComplexTypeDef>,
): (entity: EntityRecord) => boolean {
  const parser = new ExpressionParser('$filter', text, type, complexTypes);
  const expression = parser.expression();
  parser.expectEnd();
  if (expression.kind !== 'boolean') {
    throw parser.error(
      `the expression is of type '${expression.edm}'; a filter must be of type 'Edm.Boolean'`,
    );
  }
  const evaluate = expression.evaluate;
  return (entity) => evaluate(entity) === true;
}
