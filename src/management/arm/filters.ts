import { ArmError } from './errors.js';

/** One clause of the OData subset ARM's authorization lists accept. */
export type FilterClause =
  | { kind: 'atScope' }
  | { kind: 'assignedTo'; value: string }
  | { kind: 'eq'; property: string; value: string };

// atScope() | assignedTo('x') | property eq 'x' — joined by `and`; '' escapes a quote.
const CLAUSE = /^\s*(?:(atScope\(\))|assignedTo\('((?:[^']|'')*)'\)|(\w+)\s+eq\s+'((?:[^']|'')*)')\s*/i;
const AND = /^and\s+/i;

const unsupported = (filter: string) =>
  new ArmError(400, 'UnsupportedQuery', `The filter '${filter}' is not supported.`);

/** Parses `$filter`; clauses must be among `allowed` (property names compared case-insensitively). */
export function parseFilter(raw: unknown, allowed: readonly string[]): FilterClause[] {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || text === '') return [];
  if (typeof text !== 'string') throw unsupported(String(text));
  const clauses: FilterClause[] = [];
  let rest = text.trim();
  while (rest !== '') {
    const match = CLAUSE.exec(rest);
    if (!match) throw unsupported(text);
    const [whole, atScope, assignedTo, property, value] = match;
    let clause: FilterClause;
    if (atScope) clause = { kind: 'atScope' };
    else if (assignedTo !== undefined)
      clause = { kind: 'assignedTo', value: assignedTo.replaceAll("''", "'") };
    else clause = { kind: 'eq', property: property ?? '', value: (value ?? '').replaceAll("''", "'") };
    const name = clause.kind === 'eq' ? clause.property : clause.kind;
    if (!allowed.some((a) => a.toLowerCase() === name.toLowerCase())) throw unsupported(text);
    clauses.push(clause);
    rest = rest.slice(whole.length);
    if (rest === '') break;
    const and = AND.exec(rest);
    if (!and) throw unsupported(text);
    rest = rest.slice(and[0].length);
  }
  return clauses;
}

export const eqValue = (clauses: readonly FilterClause[], property: string): string | undefined => {
  const clause = clauses.find((c) => c.kind === 'eq' && c.property.toLowerCase() === property.toLowerCase());
  return clause?.kind === 'eq' ? clause.value : undefined;
};
