/**
 * Azure role assignment conditions (ABAC, version 2.0) as text → a syntax tree. The grammar is
 * the one of Microsoft's "condition format and syntax" page: `AND`/`&&`, `OR`/`||`, `NOT`/`!`,
 * parentheses, `ActionMatches{'…'}`, `SubOperationMatches{'…'}`, `Exists @Source[attribute]`, and
 * comparisons `<operand> [ForAnyOfAnyValues:…] <Operator> <operand>` whose operands are an
 * attribute, one value or a `{…}` set. `a AND b OR c` is ambiguous and refused, as Azure refuses it.
 * Operator names and keywords are matched case-insensitively; values keep their case.
 */

export type AttributeSource = 'Resource' | 'Request' | 'Principal' | 'Environment';

export interface AttributeRef {
  kind: 'attribute';
  source: AttributeSource;
  /** As written between the brackets, e.g. `Microsoft.Authorization/roleAssignments:RoleDefinitionId`. */
  name: string;
}

/** A literal: quoted text, or a bare word (a GUID with or without dashes, an integer, true/false). */
export interface Literal {
  text: string;
  quoted: boolean;
}

export interface Values {
  kind: 'values';
  values: readonly Literal[];
  /** Written as `{…}`. */
  set: boolean;
}

export type Operand = AttributeRef | Values;

export type Quantifier =
  'ForAnyOfAnyValues' | 'ForAllOfAnyValues' | 'ForAnyOfAllValues' | 'ForAllOfAllValues';

export type Expr =
  | { kind: 'and'; items: readonly Expr[] }
  | { kind: 'or'; items: readonly Expr[] }
  | { kind: 'not'; item: Expr }
  | { kind: 'actionMatches'; pattern: string }
  | { kind: 'subOperationMatches'; pattern: string }
  | { kind: 'exists'; attribute: AttributeRef }
  | { kind: 'compare'; left: Operand; quantifier?: Quantifier; operator: string; right: Operand };

export class ConditionSyntaxError extends Error {}

const SOURCES: readonly AttributeSource[] = ['Resource', 'Request', 'Principal', 'Environment'];
const QUANTIFIERS: readonly Quantifier[] = [
  'ForAnyOfAnyValues',
  'ForAllOfAnyValues',
  'ForAnyOfAllValues',
  'ForAllOfAllValues',
];
/** Nesting deeper than this is refused rather than risking the parser's stack. */
const MAX_DEPTH = 64;

type Token =
  | { t: 'open' | 'close' | 'lbrace' | 'rbrace' | 'comma' | 'and' | 'or' | 'not'; at: number }
  | { t: 'string'; value: string; at: number }
  | { t: 'attribute'; source: AttributeSource; name: string; at: number }
  | { t: 'word'; value: string; at: number };

const WORD = /[A-Za-z0-9_.:\-+]/;
const PUNCTUATION: Partial<Record<string, 'open' | 'close' | 'lbrace' | 'rbrace' | 'comma' | 'not'>> = {
  '(': 'open',
  ')': 'close',
  '{': 'lbrace',
  '}': 'rbrace',
  ',': 'comma',
  '!': 'not',
};
const DOUBLE: Partial<Record<string, 'and' | 'or'>> = { '&&': 'and', '||': 'or' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new ConditionSyntaxError(`${what} at position ${i}.`);
  };
  while (i < text.length) {
    const c = text[i] as string;
    const at = i;
    const single = PUNCTUATION[c];
    const double = DOUBLE[text.slice(i, i + 2)];
    if (/\s/.test(c)) i++;
    else if (double) {
      tokens.push({ t: double, at });
      i += 2;
    } else if (single) {
      tokens.push({ t: single, at });
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) fail('An unterminated string');
      tokens.push({ t: 'string', value: text.slice(i + 1, end), at });
      i = end + 1;
    } else if (c === '@') {
      const open = text.indexOf('[', i);
      const source = SOURCES.find((s) => s.toLowerCase() === text.slice(i + 1, open).toLowerCase());
      if (open < 0 || !source) fail('An unknown attribute source');
      const close = text.indexOf(']', open);
      if (close < 0) fail('An unterminated attribute');
      const name = text.slice(open + 1, close).trim();
      if (name === '') fail('An empty attribute name');
      tokens.push({ t: 'attribute', source: source as AttributeSource, name, at });
      i = close + 1;
    } else if (WORD.test(c)) {
      let end = i;
      while (end < text.length && WORD.test(text[end] as string)) end++;
      const value = text.slice(i, end);
      const upper = value.toUpperCase();
      if (upper === 'AND') tokens.push({ t: 'and', at });
      else if (upper === 'OR') tokens.push({ t: 'or', at });
      else if (upper === 'NOT') tokens.push({ t: 'not', at });
      else tokens.push({ t: 'word', value, at });
      i = end;
    } else fail(`An unexpected character '${c}'`);
  }
  return tokens;
}

class Parser {
  private next = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): Expr {
    if (this.tokens.length === 0) throw new ConditionSyntaxError('The condition is empty.');
    const expr = this.expression();
    const rest = this.tokens[this.next];
    if (rest) throw new ConditionSyntaxError(`Unexpected '${describe(rest)}' at position ${rest.at}.`);
    return expr;
  }

  /** term ((AND term)* | (OR term)*): one kind of connective per level. */
  private expression(): Expr {
    if (++this.depth > MAX_DEPTH) throw new ConditionSyntaxError('The condition is nested too deeply.');
    const items = [this.term()];
    let connective: 'and' | 'or' | undefined;
    for (let token = this.peek(); token?.t === 'and' || token?.t === 'or'; token = this.peek()) {
      if (connective !== undefined && token.t !== connective) {
        throw new ConditionSyntaxError(
          `AND and OR are mixed without parentheses at position ${token.at}; add parentheses to say which comes first.`,
        );
      }
      connective = token.t;
      this.next++;
      items.push(this.term());
    }
    this.depth--;
    if (connective === undefined) return items[0] as Expr;
    return { kind: connective, items };
  }

  private term(): Expr {
    const token = this.take('a condition');
    if (token.t === 'not') return { kind: 'not', item: this.term() };
    if (token.t === 'open') {
      const inner = this.expression();
      this.expect('close', "')'");
      return inner;
    }
    if (token.t === 'word') {
      const word = token.value.toLowerCase();
      if (word === 'actionmatches' || word === 'suboperationmatches') {
        this.expect('lbrace', "'{'");
        const pattern = this.take('a quoted pattern');
        if (pattern.t !== 'string' || pattern.value.trim() === '') {
          throw new ConditionSyntaxError(`A quoted pattern is expected at position ${pattern.at}.`);
        }
        this.expect('rbrace', "'}'");
        return {
          kind: word === 'actionmatches' ? 'actionMatches' : 'subOperationMatches',
          pattern: pattern.value,
        };
      }
      if (word === 'exists') {
        const attribute = this.take('an attribute');
        if (attribute.t !== 'attribute') {
          throw new ConditionSyntaxError(
            `An attribute is expected after Exists at position ${attribute.at}.`,
          );
        }
        return { kind: 'exists', attribute: toRef(attribute) };
      }
    }
    this.next--;
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.operand();
    const op = this.take('an operator');
    if (op.t !== 'word') throw new ConditionSyntaxError(`An operator is expected at position ${op.at}.`);
    const [first, second, extra] = op.value.split(':');
    if (extra !== undefined || first === undefined || first === '') {
      throw new ConditionSyntaxError(`'${op.value}' is not an operator (position ${op.at}).`);
    }
    let quantifier: Quantifier | undefined;
    let operator = first;
    if (second !== undefined) {
      quantifier = QUANTIFIERS.find((q) => q.toLowerCase() === first.toLowerCase());
      if (!quantifier) throw new ConditionSyntaxError(`'${first}' is not a quantifier (position ${op.at}).`);
      operator = second;
    }
    if (!/^[A-Za-z]+$/.test(operator)) {
      throw new ConditionSyntaxError(`'${op.value}' is not an operator (position ${op.at}).`);
    }
    const right = this.operand();
    return { kind: 'compare', left, ...(quantifier ? { quantifier } : {}), operator, right };
  }

  private operand(): Operand {
    const token = this.take('an attribute or a value');
    if (token.t === 'attribute') return toRef(token);
    if (token.t === 'string')
      return { kind: 'values', values: [{ text: token.value, quoted: true }], set: false };
    if (token.t === 'word')
      return { kind: 'values', values: [{ text: token.value, quoted: false }], set: false };
    if (token.t === 'lbrace') {
      const values: Literal[] = [];
      for (;;) {
        const item = this.take('a value');
        if (item.t === 'string') values.push({ text: item.value, quoted: true });
        else if (item.t === 'word') values.push({ text: item.value, quoted: false });
        else throw new ConditionSyntaxError(`A value is expected at position ${item.at}.`);
        const after = this.take("',' or '}'");
        if (after.t === 'rbrace') break;
        if (after.t !== 'comma')
          throw new ConditionSyntaxError(`',' or '}' is expected at position ${after.at}.`);
      }
      return { kind: 'values', values, set: true };
    }
    throw new ConditionSyntaxError(`An attribute or a value is expected at position ${token.at}.`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.next];
  }

  private take(what: string): Token {
    const token = this.tokens[this.next++];
    if (!token) throw new ConditionSyntaxError(`The condition ends where ${what} is expected.`);
    return token;
  }

  private expect(t: Token['t'], what: string): void {
    const token = this.take(what);
    if (token.t !== t) throw new ConditionSyntaxError(`${what} is expected at position ${token.at}.`);
  }
}

const toRef = (token: Extract<Token, { t: 'attribute' }>): AttributeRef => ({
  kind: 'attribute',
  source: token.source,
  name: token.name,
});

function describe(token: Token): string {
  switch (token.t) {
    case 'string':
      return `'${token.value}'`;
    case 'word':
      return token.value;
    case 'attribute':
      return `@${token.source}[${token.name}]`;
    default:
      return token.t;
  }
}

/** The syntax tree of a condition; `ConditionSyntaxError` (saying where) when it does not parse. */
export function parseCondition(text: string): Expr {
  return new Parser(tokenize(text)).parse();
}

const printOperand = (o: Operand): string =>
  o.kind === 'attribute'
    ? `@${o.source}[${o.name}]`
    : o.set
      ? `{${o.values.map(printLiteral).join(', ')}}`
      : o.values.map(printLiteral).join('');

const printLiteral = (l: Literal): string => (l.quoted ? `'${l.text}'` : l.text);

/** Condition text for a tree, fully parenthesised: `parseCondition(printCondition(e))` equals `e`. */
export function printCondition(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return e.items.map((i) => `(${printCondition(i)})`).join(e.kind === 'and' ? ' AND ' : ' OR ');
    case 'not':
      return `!(${printCondition(e.item)})`;
    case 'actionMatches':
      return `ActionMatches{'${e.pattern}'}`;
    case 'subOperationMatches':
      return `SubOperationMatches{'${e.pattern}'}`;
    case 'exists':
      return `Exists ${printOperand(e.attribute)}`;
    case 'compare':
      return `${printOperand(e.left)} ${e.quantifier ? `${e.quantifier}:` : ''}${e.operator} ${printOperand(e.right)}`;
  }
}
