import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConditionAttributes } from '../../src/access/conditions/conditionAttributes.js';
import { compile, grantFor, holds, specialize } from '../../src/access/conditions/conditionEvaluation.js';
import { parseCondition } from '../../src/access/conditions/conditionSyntax.js';

const WRITE = 'microsoft.authorization/roleassignments/write';
const evaluate = (text: string, attributes: ConditionAttributes = {}, op = 'x/y/read') =>
  holds(parseCondition(text), op, attributes);

describe('condition evaluation', () => {
  it("gives the docs' operator table its results", () => {
    const table: Array<[string, ConditionAttributes, boolean]> = [
      [`@Resource[name1] StringLike 'a*c?'`, { resource: { name1: 'abcd' } }, true],
      [`@Resource[name1] StringLike 'A*C?'`, { resource: { name1: 'abcd' } }, false],
      [`@Resource[name1] StringLike 'a*c'`, { resource: { name1: 'abcd' } }, false],
      [`@Resource[name1] StringLikeIgnoreCase 'A*C?'`, { resource: { name1: 'abcd' } }, true],
      [`@Resource[name1] StringLike 'a\\*'`, { resource: { name1: 'a*' } }, true],
      [`@Resource[name1] StringLike 'a\\*'`, { resource: { name1: 'ab' } }, false],
      [`{'red', 'blue'} ForAnyOfAnyValues:StringEquals {'blue', 'green'}`, {}, true],
      [`{'red', 'blue'} ForAnyOfAnyValues:StringEquals {'orange', 'green'}`, {}, false],
      [`{'red', 'blue'} ForAllOfAnyValues:StringEquals {'orange', 'red', 'blue'}`, {}, true],
      [`{'red', 'blue'} ForAllOfAnyValues:StringEquals {'red', 'green'}`, {}, false],
      [`{10, 20} ForAnyOfAllValues:NumericLessThan {15, 18}`, {}, true],
      [`{10, 20} ForAllOfAllValues:NumericLessThan {5, 15, 18}`, {}, false],
      [`{10, 20} ForAllOfAllValues:NumericLessThan {25, 30}`, {}, true],
      [`{10, 20} ForAllOfAllValues:NumericLessThan {15, 25, 30}`, {}, false],
      [`@Request[t] StringEquals 'Cascade'`, { request: { t: 'Cascade' } }, true],
      [`@Request[t] StringEquals 'Cascade'`, { request: { t: 'cascade' } }, false],
      [`@Request[t] StringEqualsIgnoreCase 'Cascade'`, { request: { t: 'cascade' } }, true],
      [`@Request[t] StringNotEquals 'Cascade'`, { request: { t: 'Baker' } }, true],
      [`@Request[t] StringStartsWith 'Cas'`, { request: { t: 'Cascade' } }, true],
      [`@Request[t] StringNotStartsWithIgnoreCase 'cas'`, { request: { t: 'Cascade' } }, false],
      [
        `@Request[t] ForAllOfAnyValues:StringEquals {'Cascade', 'Baker'}`,
        { request: { t: ['Baker', 'Cascade'] } },
        true,
      ],
      [
        `@Request[t] ForAllOfAnyValues:StringEquals {'Cascade', 'Baker'}`,
        { request: { t: ['Baker', 'Skagit'] } },
        false,
      ],
      [`@Request[n] NumericGreaterThanEquals 10`, { request: { n: '10' } }, true],
      [`@Request[n] NumericLessThan 10`, { request: { n: '10' } }, false],
      [`@Request[n] NumericEquals 10`, { request: { n: 'ten' } }, false],
      [
        `@Request[d] DateTimeGreaterThan '2022-06-01T00:00:00.0Z'`,
        { request: { d: '2022-06-01T00:00:00.0000001Z' } },
        true,
      ],
      [
        `@Request[d] DateTimeEquals '2022-06-01T00:00:00.0Z'`,
        { request: { d: '2022-06-01T00:00:00Z' } },
        true,
      ],
      [
        `@Request[d] DateTimeLessThanEquals '2022-06-01T00:00:00.0Z'`,
        { request: { d: '2022-06-01T00:00:01Z' } },
        false,
      ],
      [
        `@Request[g] GuidEquals 8e3af657a8ff443ca75c2fe8c4bcb635`,
        { request: { g: '8E3AF657-A8FF-443C-A75C-2FE8C4BCB635' } },
        true,
      ],
      [
        `@Request[g] GuidNotEquals 8e3af657-a8ff-443c-a75c-2fe8c4bcb635`,
        { request: { g: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' } },
        true,
      ],
      [
        `@Request[g] ForAnyOfAllValues:GuidNotEquals {8e3af657-a8ff-443c-a75c-2fe8c4bcb635, acdd72a7-3385-48ef-bd42-f606fba81ae7}`,
        { request: { g: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' } },
        false,
      ],
      [`@Resource[b] BoolEquals true`, { resource: { b: 'True' } }, true],
      [`@Resource[b] BoolNotEquals true`, { resource: { b: 'true' } }, false],
      [`Exists @Request[v]`, { request: { v: 'x' } }, true],
      [`NOT Exists @Request[v]`, {}, true],
      [`SubOperationMatches{'Blob.List'}`, { subOperation: 'blob.list' }, true],
      [
        `@Request[subOperation] ForAnyOfAnyValues:StringEqualsIgnoreCase {'Blob.List'}`,
        { subOperation: 'Blob.List' },
        true,
      ],
      // A missing attribute compares false, whatever the operator.
      [`@Request[missing] StringNotEquals 'x'`, {}, false],
      [`@Request[missing] ForAnyOfAllValues:GuidNotEquals {8e3af657-a8ff-443c-a75c-2fe8c4bcb635}`, {}, false],
      // Attribute names compare case-insensitively; a multi-valued attribute fails a plain comparison.
      [`@Request[Microsoft.X:Name] StringEquals 'v'`, { request: { 'microsoft.x:name': 'v' } }, true],
      [`@Request[t] StringEquals 'v'`, { request: { t: ['v', 'w'] } }, false],
    ];
    for (const [text, attributes, expected] of table)
      assert.equal(evaluate(text, attributes), expected, text);
  });

  it('fixes the action first: a conjunct is true for any action it does not target', () => {
    const guard = `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {acdd72a7338548efbd42f606fba81ae7}))`;
    const tree = parseCondition(guard);
    assert.equal(specialize(tree, 'microsoft.resources/subscriptions/read'), true);
    const residual = specialize(tree, WRITE);
    assert.equal(typeof residual, 'object');
    assert.equal(residual && typeof residual === 'object' && residual.kind, 'compare');
    const compiled = compile(guard);
    assert.equal(grantFor(compiled, 'microsoft.resources/subscriptions/read'), true);
    assert.equal(grantFor(compiled, WRITE), grantFor(compiled, WRITE), 'memoised per action');
    assert.equal(
      specialize(parseCondition(`ActionMatches{'a/*'} AND @Request[x] StringEquals 'y'`), 'b/c'),
      false,
    );
  });

  it('grants nothing for a condition that does not parse', () => {
    const compiled = compile('((!(ActionMatches{');
    assert.ok(compiled.invalid);
    assert.equal(grantFor(compiled, 'a/b/read'), false);
  });
});
