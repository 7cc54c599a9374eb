import { graphErrors } from '../errors.js';
import type { EntityType } from './entityType.js';
import { kindOf, propertyNamed, typeNameOf } from './entityType.js';

/**
 * The `$filter` subset Microsoft Graph's directory answers: `eq`, `ne`, `gt`/`ge`/`lt`/`le`,
 * `in (…)`, `and`, `or`, `not`, `startswith()`/`endswith()`, and `any`/`all` lambdas over
 * collections (`servicePrincipalNames/any(c:c eq '…')`), with string, boolean, null, number,
 * GUID and date-time literals. Property names are checked against the entity type when parsed.
 */
export type Literal = string | number | boolean | null;

export type Operand =
  | { kind: 'literal'; value: Literal }
  /** A property path from the entity, or from a lambda's variable when `variable` is set. */
  | { kind: 'path'; variable?: string; path: string[] };

export type FilterExpression =
  | { kind: 'and' | 'or'; left: FilterExpression; right: FilterExpression }
  | { kind: 'not'; operand: FilterExpression }
  | { kind: 'compare'; op: ComparisonOperator; left: Operand; right: Operand }
  | { kind: 'in'; left: Operand; values: Literal[] }
  | { kind: 'function'; name: 'startswith' | 'endswith'; target: Operand; prefix: Operand }
  | {
      kind: 'lambda';
      quantifier: 'any' | 'all';
      collection: Operand;
      variable: string;
      body: FilterExpression;
    };

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARISONS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set<string>(['startswith', 'endswith']);
/** Longer filters are no query a client makes; refused before parsing. */
const MAX_FILTER_LENGTH = 4096;
const MAX_DEPTH = 32;

type Token =
  | { kind: 'string'; value: string; at: number }
  | { kind: 'word'; value: string; at: number }
  | { kind: 'dateTime'; value: string; at: number }
  | { kind: 'punct'; value: '(' | ')' | ',' | ':' | '/'; at: number }
  | { kind: 'end'; at: number };

const DATE_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})/y;
const WORD = /[A-Za-z0-9_][A-Za-z0-9_.-]*/y;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at] as string;
    if (char === ' ' || char === '\t') {
      at++;
      continue;
    }
    if (char === "'") {
      let value = '';
      let end = at + 1;
      for (;;) {
        if (end >= text.length) throw syntax(text, at, 'unterminated string literal');
        if (text[end] === "'") {
          // OData escapes a quote inside a string by doubling it.
          if (text[end + 1] === "'") {
            value += "'";
            end += 2;
            continue;
          }
          break;
        }
        value += text[end];
        end++;
      }
      tokens.push({ kind: 'string', value, at });
      at = end + 1;
      continue;
    }
    if ('(),:/'.includes(char)) {
      tokens.push({ kind: 'punct', value: char as '(' | ')' | ',' | ':' | '/', at });
      at++;
      continue;
    }
    DATE_TIME.lastIndex = at;
    const dateTime = DATE_TIME.exec(text);
    if (dateTime) {
      tokens.push({ kind: 'dateTime', value: dateTime[0], at });
      at += dateTime[0].length;
      continue;
    }
    WORD.lastIndex = at;
    const word = WORD.exec(text);
    if (word) {
      tokens.push({ kind: 'word', value: word[0], at });
      at += word[0].length;
      continue;
    }
    throw syntax(text, at, `character '${char}' is not valid`);
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

function syntax(text: string, at: number, what: string) {
  return graphErrors.invalidFilter(`Syntax error: ${what} at position ${at} in '${text}'.`);
}

class Parser {
  private index = 0;
  private depth = 0;
  private readonly variables: string[] = [];

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly types: readonly EntityType[],
  ) {}

  parse(): FilterExpression {
    const expression = this.or();
    const next = this.peek();
    if (next.kind !== 'end') throw this.unexpected(next);
    return expression;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private take(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isWord(value: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.value === value;
  }

  private isPunct(value: string, offset = 0): boolean {
    const token = this.tokens[this.index + offset];
    return token?.kind === 'punct' && token.value === value;
  }

  private expectPunct(value: string): void {
    const token = this.take();
    if (token.kind !== 'punct' || token.value !== value) throw this.unexpected(token, `'${value}' expected`);
  }

  private unexpected(token: Token, expected?: string) {
    const what =
      token.kind === 'end'
        ? 'the filter ends too early'
        : `'${'value' in token ? token.value : ''}' is not valid here${expected ? ` (${expected})` : ''}`;
    return syntax(this.text, token.at, what);
  }

  private or(): FilterExpression {
    let left = this.and();
    while (this.isWord('or')) {
      this.take();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterExpression {
    let left = this.unary();
    while (this.isWord('and')) {
      this.take();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpression {
    if (++this.depth > MAX_DEPTH) throw syntax(this.text, this.peek().at, 'the filter is nested too deeply');
    try {
      if (this.isWord('not')) {
        this.take();
        return { kind: 'not', operand: this.unary() };
      }
      return this.primary();
    } finally {
      this.depth--;
    }
  }

  private primary(): FilterExpression {
    if (this.isPunct('(')) {
      this.take();
      const inner = this.or();
      this.expectPunct(')');
      return inner;
    }
    const token = this.peek();
    if (token.kind === 'word' && FUNCTIONS.has(token.value) && this.isPunct('(', 1)) return this.call();
    const left = this.operand();
    if (left.kind === 'path' && this.isPunct('/')) return this.lambda(left);
    const op = this.take();
    if (op.kind === 'word' && op.value === 'in') return { kind: 'in', left, values: this.list() };
    if (op.kind !== 'word' || !COMPARISONS.has(op.value)) throw this.unexpected(op, 'an operator expected');
    const right = this.operand();
    this.checkComparable(left, op);
    this.checkComparable(right, op);
    return { kind: 'compare', op: op.value as ComparisonOperator, left, right };
  }

  private call(): FilterExpression {
    const name = this.take() as { value: 'startswith' | 'endswith' };
    this.expectPunct('(');
    const target = this.operand();
    this.expectPunct(',');
    const prefix = this.operand();
    this.expectPunct(')');
    return { kind: 'function', name: name.value, target, prefix };
  }

  /** `collection/any(v: body)`: the path before the slash names the collection. */
  private lambda(collection: Operand & { kind: 'path' }): FilterExpression {
    this.take();
    const quantifier = this.take();
    if (quantifier.kind !== 'word' || (quantifier.value !== 'any' && quantifier.value !== 'all')) {
      throw this.unexpected(quantifier, "'any' or 'all' expected");
    }
    if (collection.variable === undefined && collection.path.length === 1) {
      const kind = kindOf(this.types, collection.path[0] as string);
      if (kind !== 'collection') {
        throw graphErrors.invalidFilter(
          `The '${quantifier.value}' operator needs a collection; '${collection.path.join('/')}' is not one.`,
        );
      }
    }
    this.expectPunct('(');
    const variable = this.take();
    if (variable.kind !== 'word' || !/^[A-Za-z_]\w*$/.test(variable.value)) {
      throw this.unexpected(variable, 'a range variable expected');
    }
    this.expectPunct(':');
    this.variables.push(variable.value);
    const body = this.or();
    this.variables.pop();
    this.expectPunct(')');
    return { kind: 'lambda', quantifier: quantifier.value, collection, variable: variable.value, body };
  }

  private list(): Literal[] {
    this.expectPunct('(');
    const values: Literal[] = [];
    for (;;) {
      const operand = this.operand();
      if (operand.kind !== 'literal')
        throw syntax(this.text, this.peek().at, "'in' takes a list of literals");
      values.push(operand.value);
      if (this.isPunct(',')) {
        this.take();
        continue;
      }
      this.expectPunct(')');
      return values;
    }
  }

  private operand(): Operand {
    const token = this.take();
    if (token.kind === 'string') return { kind: 'literal', value: token.value };
    if (token.kind === 'dateTime') return { kind: 'literal', value: token.value };
    if (token.kind !== 'word') throw this.unexpected(token, 'a property or a value expected');
    const { value } = token;
    if (value === 'true' || value === 'false') return { kind: 'literal', value: value === 'true' };
    if (value === 'null') return { kind: 'literal', value: null };
    if (GUID.test(value)) return { kind: 'literal', value: value.toLowerCase() };
    if (NUMBER.test(value)) return { kind: 'literal', value: Number(value) };
    return this.path(token);
  }

  /** A property path; stops before `/any(` and `/all(`, which the caller reads as a lambda. */
  private path(first: Token & { kind: 'word' }): Operand {
    const segments = [first.value];
    while (this.isPunct('/')) {
      const next = this.tokens[this.index + 1];
      if (next?.kind !== 'word') throw this.unexpected(next ?? this.peek(), 'a property name expected');
      if ((next.value === 'any' || next.value === 'all') && this.isPunct('(', 2)) break;
      this.index += 2;
      segments.push(next.value);
    }
    const head = segments[0] as string;
    if (this.variables.includes(head)) return { kind: 'path', variable: head, path: segments.slice(1) };
    const property = propertyNamed(this.types, head);
    if (property === undefined) {
      throw graphErrors.invalidFilter(
        `Could not find a property named '${head}' on type '${typeNameOf(this.types)}'.`,
      );
    }
    return { kind: 'path', path: [property, ...segments.slice(1)] };
  }

  /** A comparison names a value, never a whole collection or object (those take a lambda). */
  private checkComparable(operand: Operand, op: Token): void {
    if (operand.kind !== 'path' || operand.variable !== undefined || operand.path.length !== 1) return;
    const kind = kindOf(this.types, operand.path[0] as string);
    if (kind === 'collection' || kind === 'complex') {
      throw graphErrors.invalidFilter(
        `The operator '${'value' in op ? op.value : ''}' cannot compare the ${kind} property '${operand.path[0] ?? ''}'; use any() or all().`,
      );
    }
  }
}

export function parseFilter(text: string, types: readonly EntityType[]): FilterExpression {
  if (text.trim() === '') throw graphErrors.invalidFilter('The filter is empty.');
  if (text.length > MAX_FILTER_LENGTH) throw graphErrors.invalidFilter('The filter is too long.');
  return new Parser(text, tokenize(text), types).parse();
}
