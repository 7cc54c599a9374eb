import type { SignInCondition, SignInField } from '../../authority/signIn/signInLog.js';
import { graphErrors } from '../errors.js';
import type { FilterExpression, Literal, Operand } from '../odata/filter.js';
import { parseFilter } from '../odata/filter.js';
import { APP_CLIENT, BROWSER, BROWSER_FLOW, signInType } from '../shapes/signIns.js';

type Comparison = Extract<SignInCondition, { field: SignInField }>;
type Operator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'startsWith';

interface Filterable {
  field: SignInField;
  value: 'string' | 'dateTime' | 'int' | 'boolean';
  operators: readonly Operator[];
}

const EQUALITY = ['eq', 'ne'] as const;
const NAMES = ['eq', 'ne', 'startsWith'] as const;
const ORDERED = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;

/**
 * What the sign-in log answers a filter on, by Graph's property path (lower-cased), with the
 * operators Graph documents for each (and `ne`, which Graph takes on status/errorCode).
 */
const FILTERABLE: Record<string, Filterable> = {
  id: { field: 'id', value: 'string', operators: EQUALITY },
  createddatetime: { field: 'atMs', value: 'dateTime', operators: ORDERED },
  userid: { field: 'userId', value: 'string', operators: EQUALITY },
  userprincipalname: { field: 'userPrincipalName', value: 'string', operators: NAMES },
  userdisplayname: { field: 'userDisplayName', value: 'string', operators: NAMES },
  appid: { field: 'appId', value: 'string', operators: EQUALITY },
  appdisplayname: { field: 'appDisplayName', value: 'string', operators: NAMES },
  resourceid: { field: 'resourceId', value: 'string', operators: EQUALITY },
  resourcedisplayname: { field: 'resourceDisplayName', value: 'string', operators: NAMES },
  ipaddress: { field: 'ipAddress', value: 'string', operators: NAMES },
  correlationid: { field: 'correlationId', value: 'string', operators: EQUALITY },
  isinteractive: { field: 'interactive', value: 'boolean', operators: EQUALITY },
  'status/errorcode': { field: 'errorCode', value: 'int', operators: ORDERED },
};

const unsupported = (what: string) => graphErrors.unsupportedQuery(`Unsupported filter on signIns: ${what}.`);

const pathOf = (operand: Operand): string | undefined =>
  operand.kind === 'path' && operand.variable === undefined ? operand.path.join('/') : undefined;

function valueFor(filterable: Filterable, path: string, literal: Literal): Comparison['value'] {
  const wrong = () =>
    graphErrors.invalidFilter(
      `'${path}' is compared with ${JSON.stringify(literal)}, a value of another type.`,
    );
  if (literal === null) {
    if (filterable.value === 'string') return null;
    throw wrong();
  }
  switch (filterable.value) {
    case 'string':
      if (typeof literal !== 'string') throw wrong();
      return literal;
    case 'dateTime': {
      const ms = typeof literal === 'string' ? Date.parse(literal) : NaN;
      if (Number.isNaN(ms)) throw wrong();
      return ms;
    }
    case 'int':
      if (typeof literal !== 'number' || !Number.isInteger(literal)) throw wrong();
      return literal;
    case 'boolean':
      if (typeof literal !== 'boolean') throw wrong();
      return literal;
  }
}

/** `clientAppUsed`: the log knows a browser (the authorization code flow) from an app, nothing finer. */
function clientAppCondition(op: Operator, literal: Literal): SignInCondition {
  if (op !== 'eq' && op !== 'ne') throw unsupported(`'clientAppUsed' does not take '${op}'`);
  if (typeof literal !== 'string') {
    throw graphErrors.invalidFilter(
      `'clientAppUsed' is compared with ${JSON.stringify(literal)}, a value of another type.`,
    );
  }
  const kind = literal.toLowerCase();
  // No record has another client: eq matches none (an empty any), ne all (an empty all).
  if (kind !== BROWSER.toLowerCase() && kind !== APP_CLIENT.toLowerCase())
    return op === 'eq' ? { any: [] } : { all: [] };
  const browser = (kind === BROWSER.toLowerCase()) === (op === 'eq');
  return { field: 'flow', op: browser ? 'eq' : 'ne', value: BROWSER_FLOW };
}

function comparison(path: string, op: Operator, literal: Literal): SignInCondition {
  if (path.toLowerCase() === 'clientappused') return clientAppCondition(op, literal);
  const filterable = FILTERABLE[path.toLowerCase()];
  if (!filterable) throw unsupported(`the sign-in log cannot be filtered by '${path}'`);
  if (!filterable.operators.includes(op)) throw unsupported(`'${path}' does not take '${op}'`);
  return { field: filterable.field, op, value: valueFor(filterable, path, literal) };
}

/** `a and (b and c)` as one list, which reads better in SQL and nests less. */
const conjuncts = (c: SignInCondition): SignInCondition[] => ('all' in c ? c.all : [c]);
const disjuncts = (c: SignInCondition): SignInCondition[] => ('any' in c ? c.any : [c]);

function translate(expression: FilterExpression): SignInCondition {
  switch (expression.kind) {
    case 'and':
      return { all: [expression.left, expression.right].flatMap((e) => conjuncts(translate(e))) };
    case 'or':
      return { any: [expression.left, expression.right].flatMap((e) => disjuncts(translate(e))) };
    case 'compare': {
      const path = pathOf(expression.left);
      if (path === undefined || expression.right.kind !== 'literal')
        throw unsupported('a comparison names a property, then a value');
      return comparison(path, expression.op, expression.right.value);
    }
    case 'in': {
      const path = pathOf(expression.left);
      if (path === undefined) throw unsupported("'in' follows a property");
      return { any: expression.values.map((value) => comparison(path, 'eq', value)) };
    }
    case 'function': {
      const path = pathOf(expression.target);
      if (expression.name !== 'startswith' || path === undefined || expression.prefix.kind !== 'literal')
        throw unsupported(`'${expression.name}' is not supported here; startswith(property, 'text') is`);
      return comparison(path, 'startsWith', expression.prefix.value);
    }
    case 'not':
      throw unsupported("'not' is not supported");
    case 'lambda':
      throw unsupported(`'${expression.quantifier}' is not supported`);
  }
}

/**
 * Graph's `$filter` on auditLogs/signIns, parsed by Graph's one grammar (a syntax error or an
 * unknown property is its usual 400) and translated into a condition the log evaluates in its
 * store, so a filter never reads more of the log than it returns.
 */
export function signInCondition(text: string): SignInCondition {
  return translate(parseFilter(text, [signInType]));
}
