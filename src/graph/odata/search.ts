import { graphErrors } from '../errors.js';
import type { EntityType } from './entityType.js';
import { kindOf, propertyNamed, typeNameOf } from './entityType.js';
import type { Json } from './evaluate.js';

/**
 * Graph's directory `$search`: `"property:term"` clauses joined by `AND` / `OR` (AND binds
 * tighter). A clause matches when a word of the property's value starts with the term, which is
 * how the directory's tokenized search behaves for names and addresses.
 */
const CLAUSE = /^"([^":]+):([^"]*)"$/;
const WORD_BREAK = /[\s._@\-,;/\\()]+/;

function matcher(property: string, term: string): (entity: Json) => boolean {
  const wanted = term.toLowerCase();
  return (entity) => {
    const value = entity[property];
    if (typeof value !== 'string') return false;
    const lower = value.toLowerCase();
    return lower.startsWith(wanted) || lower.split(WORD_BREAK).some((word) => word.startsWith(wanted));
  };
}

export function parseSearch(text: string, types: readonly EntityType[]): (entity: Json) => boolean {
  const invalid = () =>
    graphErrors.odataBadRequest(`Syntax error: '${text}' is not a valid $search; use "property:term".`);
  // Clauses are quoted, so splitting on the operators outside quotes is enough.
  const parts = text.match(/"[^"]*"|\bAND\b|\bOR\b/g);
  if (!parts || parts.join(' ').replace(/\s+/g, '') !== text.replace(/\s+/g, '')) throw invalid();
  const alternatives: Array<Array<(entity: Json) => boolean>> = [[]];
  let expectClause = true;
  for (const part of parts) {
    if (expectClause) {
      const clause = CLAUSE.exec(part);
      if (!clause) throw invalid();
      const property = propertyNamed(types, (clause[1] as string).trim());
      if (property === undefined || kindOf(types, property) !== 'string') {
        throw graphErrors.odataBadRequest(
          `Invalid $search: '${(clause[1] as string).trim()}' is not a searchable property of '${typeNameOf(types)}'.`,
        );
      }
      alternatives[alternatives.length - 1]?.push(matcher(property, clause[2] as string));
    } else if (part === 'OR') alternatives.push([]);
    else if (part !== 'AND') throw invalid();
    expectClause = !expectClause;
  }
  if (expectClause) throw invalid();
  return (entity) => alternatives.some((all) => all.every((test) => test(entity)));
}
