import { TesseraError } from '../../errors.js';
import { actionMatches } from '../actionPattern.js';
import type { Permission } from '../permissions.js';
import { roleGrant } from '../permissions.js';
import type { TargetClass } from './conditionCatalog.js';
import { AUTHORIZATION_ACTIONS, classifyTarget, storageAttributeKnown } from './conditionCatalog.js';
import { operatorNamed } from './conditionOperators.js';
import type { AttributeRef, Expr, Operand } from './conditionSyntax.js';
import { ConditionSyntaxError, parseCondition } from './conditionSyntax.js';

/** The only condition version Azure accepts, and the one it stores when none is given. */
export const CONDITION_VERSION = '2.0';

/** Azure's refusal of a role assignment condition; the second sentence says what is wrong with it. */
export const invalidCondition = (detail: string): TesseraError =>
  new TesseraError(
    'InvalidRoleAssignmentCondition',
    `The given role assignment condition is invalid. ${detail}`,
  );

interface Conjunct {
  targets: Array<{ pattern: string; target: TargetClass }>;
  attributes: AttributeRef[];
  comparisons: Array<Extract<Expr, { kind: 'compare' }>>;
}

function collect(e: Expr, into: Conjunct): void {
  switch (e.kind) {
    case 'and':
    case 'or':
      for (const item of e.items) collect(item, into);
      return;
    case 'not':
      collect(e.item, into);
      return;
    case 'actionMatches':
      into.targets.push({ pattern: e.pattern, target: classifyTarget(e.pattern) });
      return;
    case 'subOperationMatches':
      return;
    case 'exists':
      into.attributes.push(e.attribute);
      return;
    case 'compare':
      into.comparisons.push(e);
      for (const side of [e.left, e.right]) if (side.kind === 'attribute') into.attributes.push(side);
  }
}

/** Whether the role grants anything `pattern` targets (conditionally or not). */
function roleReaches(permissions: readonly Permission[], pattern: string, target: TargetClass): boolean {
  const p = pattern.toLowerCase();
  const grants = (action: string) =>
    roleGrant(permissions, action, 'action') !== false ||
    roleGrant(permissions, action, 'dataAction') !== false;
  if (target.kind === 'authorization') return target.actions.some(grants);
  if (!p.includes('*')) return grants(p);
  // A wildcard target: some granted pattern of the role overlaps it (before NotActions, a gap).
  return permissions.some((block) =>
    [...block.actions, ...block.dataActions].some(
      (q) => actionMatches(q, p) || actionMatches(p, q.toLowerCase()),
    ),
  );
}

function attributeType(ref: AttributeRef, targets: Conjunct['targets']): string | undefined {
  const authorization = targets.flatMap((t) => (t.target.kind === 'authorization' ? t.target.actions : []));
  const storage = targets.some((t) => t.target.kind === 'storage');
  const where = `@${ref.source}[${ref.name}]`;
  if (targets.length === 0) {
    throw invalidCondition(
      `The attribute ${where} is used in an expression that targets no action (ActionMatches).`,
    );
  }
  if (authorization.length > 0 && storage) {
    throw invalidCondition(
      `The attribute ${where} is not available for every action its expression targets.`,
    );
  }
  if (storage) {
    if (!storageAttributeKnown(ref.source, ref.name)) {
      throw invalidCondition(`The attribute ${where} is not supported for Azure Storage actions.`);
    }
    return undefined;
  }
  let type: string | undefined;
  for (const action of new Set(authorization)) {
    const found = AUTHORIZATION_ACTIONS.get(action)?.find(
      (a) => a.source === ref.source && a.name.toLowerCase() === ref.name.toLowerCase(),
    );
    if (!found) {
      throw invalidCondition(`The attribute ${where} is not supported for the action '${action}'.`);
    }
    type = found.type;
  }
  return type;
}

function checkComparison(
  c: Extract<Expr, { kind: 'compare' }>,
  types: Map<AttributeRef, string | undefined>,
) {
  const op = operatorNamed(c.operator);
  if (!op) throw invalidCondition(`'${c.operator}' is not a condition operator.`);
  const sides: Operand[] = [c.left, c.right];
  for (const side of sides) {
    if (side.kind === 'attribute') {
      const type = types.get(side);
      if (type !== undefined && type !== op.type) {
        throw invalidCondition(
          `The attribute @${side.source}[${side.name}] is of type ${type}; '${c.operator}' compares ${op.type} values.`,
        );
      }
      continue;
    }
    if (!c.quantifier && side.values.length !== 1) {
      throw invalidCondition(
        `'${c.operator}' without ForAnyOfAnyValues (or another quantifier) compares single values.`,
      );
    }
    for (const value of side.values) {
      // Text and dates are quoted; GUIDs, numbers and booleans may be written bare.
      if (!value.quoted && (op.type === 'String' || op.type === 'DateTime')) {
        throw invalidCondition(`The ${op.type} value ${value.text} must be in single quotes.`);
      }
      if (!op.accepts(value.text))
        throw invalidCondition(`The value '${value.text}' is not a ${op.type} value.`);
    }
  }
}

/**
 * A role assignment's condition and version as stored, or undefined for none; `invalidCondition`
 * unless the version is 2.0, the text parses, every action it targets is one Tessera evaluates
 * conditions for and the role grants, and every attribute fits those actions and its operator.
 */
export function checkCondition(input: {
  condition?: string | null;
  conditionVersion?: string | null;
  permissions: readonly Permission[];
}): { condition: string; conditionVersion: string } | undefined {
  const { condition, conditionVersion, permissions } = input;
  // No condition: a version alone means nothing (az's update sends the old one when a condition is
  // removed; az refuses `--condition-version` alone on create, client-side, as the CLI does).
  if (condition === undefined || condition === null || condition.trim() === '') return undefined;
  const version =
    conditionVersion === undefined || conditionVersion === null ? CONDITION_VERSION : conditionVersion;
  if (version !== CONDITION_VERSION) {
    throw invalidCondition(
      `The condition version '${version}' is not supported; it must be '${CONDITION_VERSION}'.`,
    );
  }
  let expr: Expr;
  try {
    expr = parseCondition(condition);
  } catch (error) {
    if (error instanceof ConditionSyntaxError) throw invalidCondition(error.message);
    throw error;
  }
  for (const part of expr.kind === 'and' ? expr.items : [expr]) {
    const conjunct: Conjunct = { targets: [], attributes: [], comparisons: [] };
    collect(part, conjunct);
    for (const { pattern, target } of conjunct.targets) {
      if (target.kind === 'unsupported') {
        throw invalidCondition(`Conditions are not supported for the action '${pattern}'.`);
      }
      if (!roleReaches(permissions, pattern, target)) {
        throw invalidCondition(`The role does not grant the action '${pattern}'.`);
      }
    }
    const types = new Map(conjunct.attributes.map((ref) => [ref, attributeType(ref, conjunct.targets)]));
    for (const c of conjunct.comparisons) checkComparison(c, types);
  }
  return { condition, conditionVersion: version };
}
