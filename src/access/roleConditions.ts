import { anyMatches } from './actionPattern.js';

/**
 * Conditions on a role definition's permission block. Azure evaluates them (ABAC) against the
 * request; Tessera does not evaluate attributes yet. Every condition in Azure's built-in roles has
 * one shape, a conjunction of `((!(ActionMatches{'<action>'})) OR (<attribute test>))`: it
 * constrains only the actions it names (delegating role assignments of a few roles) and leaves
 * every other action of the block as granted. So for such a condition the block grants what it
 * does not name, and refuses what it names (its attribute test is not evaluated); any other
 * condition grants nothing. Failing closed keeps a condition from granting more than Azure would.
 */

/** The actions a condition constrains; undefined when it is not of the recognised shape. */
type Constrained = readonly string[] | undefined;

const parsed = new Map<string, Constrained>();

const CONJUNCT = /^\(\s*\(\s*!\s*\(\s*ActionMatches\s*\{\s*'([^']+)'\s*\}\s*\)\s*\)\s*OR\s/i;

const AND = /^\s+AND\s+/i;

/** Splits on `AND` outside parentheses; undefined when the parentheses do not balance. */
function conjuncts(condition: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < condition.length; i++) {
    const c = condition[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) return undefined;
    } else if (depth === 0) {
      const and = AND.exec(condition.slice(i));
      if (and) {
        parts.push(condition.slice(start, i).trim());
        start = i + and[0].length;
        i = start - 1;
      }
    }
  }
  if (depth !== 0) return undefined;
  parts.push(condition.slice(start).trim());
  return parts;
}

/** Whether `text` is one parenthesised group: its first parenthesis closes at its last character. */
function isOneGroup(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i === text.length - 1;
  }
  return false;
}

function constrainedActions(condition: string): Constrained {
  if (parsed.has(condition)) return parsed.get(condition);
  const parts = conjuncts(condition);
  let actions: Constrained = [];
  for (const part of parts ?? []) {
    const match = isOneGroup(part) ? CONJUNCT.exec(part) : null;
    if (!match?.[1]) {
      actions = undefined;
      break;
    }
    actions = [...actions, match[1]];
  }
  if (!parts || parts.length === 0) actions = undefined;
  parsed.set(condition, actions);
  return actions;
}

/** Whether a block with this condition grants `operation` (lower-cased) without evaluating attributes. */
export function conditionLeavesGranted(condition: string, operation: string): boolean {
  const constrained = constrainedActions(condition);
  return constrained !== undefined && !anyMatches(constrained, operation);
}
