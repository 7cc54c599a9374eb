import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtInRoles } from '../../src/access/builtInRoleFile.js';
import { checkCondition } from '../../src/access/conditions/conditionCheck.js';
import {
  ConditionSyntaxError,
  parseCondition,
  printCondition,
} from '../../src/access/conditions/conditionSyntax.js';

const BLOB_READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';

/** Examples from Microsoft's "condition format and syntax" and delegation pages. */
const DOCS_EXAMPLES = [
  `(
    (
      !(ActionMatches{'${BLOB_READ}'} AND NOT SubOperationMatches{'Blob.List'})
    )
    OR
    (
      @Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags:Project<$key_case_sensitive$>] StringEquals 'Cascade'
    )
  )`,
  `@Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:versionId] DateTimeEquals '2022-06-01T00:00:00.0Z' OR NOT Exists @Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:versionId]`,
  `@Resource[Microsoft.Storage/storageAccounts:isHnsEnabled] BoolEquals true`,
  `@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringLike 'readonly/*'`,
  `@Resource[Microsoft.Storage/storageAccounts/encryptionScopes:name] ForAnyOfAnyValues:StringEquals {'validScope1', 'validScope2'}`,
  `{'red', 'blue'} ForAllOfAnyValues:StringEquals {'orange', 'red', 'blue'}`,
  `{10, 20} ForAnyOfAllValues:NumericLessThan {15, 18}`,
  `(
    (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
    )
    OR
    (
      @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {8e3af657-a8ff-443c-a75c-2fe8c4bcb635, 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9, f58310d9-a9f6-439a-9e8d-f62e7b41a168}
    )
  )
  AND
  (
    (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})
    )
    OR
    (
      @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {8e3af657-a8ff-443c-a75c-2fe8c4bcb635, 18d7d88d-d35e-4fb5-a5c3-7773c20a72d9, f58310d9-a9f6-439a-9e8d-f62e7b41a168}
    )
  )`,
  `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) || (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'} && @Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {00000000-0000-0000-0000-000000000001}))`,
];

describe('condition syntax', () => {
  it("parses the docs' examples, and prints what parses back to the same tree", () => {
    for (const text of DOCS_EXAMPLES) {
      const tree = parseCondition(text);
      assert.deepEqual(parseCondition(printCondition(tree)), tree, text);
    }
  });

  it('parses every built-in role condition, GUIDs without dashes included, and each fits its role', () => {
    let blocks = 0;
    for (const role of builtInRoles) {
      for (const block of role.permissions) {
        if (block.condition === undefined) continue;
        blocks++;
        const tree = parseCondition(block.condition);
        assert.ok(tree.kind === 'and' || tree.kind === 'or', role.roleName);
        assert.deepEqual(
          checkCondition({
            condition: block.condition,
            conditionVersion: block.conditionVersion,
            permissions: role.permissions,
          }),
          { condition: block.condition, conditionVersion: '2.0' },
          role.roleName,
        );
      }
    }
    assert.equal(blocks, 17);
  });

  it('reads keywords and operators in any case, && || ! as AND OR NOT', () => {
    const a = parseCondition(`!(ActionMatches{'a/b'}) and @Resource[x] stringequals 'v'`);
    const b = parseCondition(`NOT (ActionMatches{'a/b'}) && @Resource[x] StringEquals 'v'`);
    assert.equal(a.kind, 'and');
    assert.deepEqual(printCondition(a).toLowerCase(), printCondition(b).toLowerCase());
  });

  it('refuses mixed AND/OR without parentheses, unbalanced input and unknown tokens, saying where', () => {
    const bad: Array<[string, RegExp]> = [
      [
        `@Resource[a] StringEquals 'x' AND @Resource[b] StringEquals 'y' OR @Resource[c] StringEquals 'z'`,
        /mixed/,
      ],
      [`((!(ActionMatches{'a/b'})) OR (@Resource[a] StringEquals 'x')`, /expected/],
      [`(@Resource[a] StringEquals 'x'))`, /Unexpected/],
      [`@Resource[a] StringEquals 'x`, /unterminated/i],
      [`@Tenant[a] StringEquals 'x'`, /attribute source/],
      [`@Resource[a] StringEquals 'x' ; DROP`, /unexpected character/i],
      [`@Resource[a] Foo:StringEquals 'x'`, /not a quantifier/],
      [`ActionMatches{abc}`, /quoted pattern/],
      [``, /empty/],
      [`${'('.repeat(100)}@Resource[a] StringEquals 'x'${')'.repeat(100)}`, /nested too deeply/],
    ];
    for (const [text, message] of bad) {
      assert.throws(
        () => parseCondition(text),
        (e: unknown) => e instanceof ConditionSyntaxError && message.test(e.message),
        text,
      );
    }
    // With parentheses, either reading is fine.
    parseCondition(
      `(@Resource[a] StringEquals 'x' AND @Resource[b] StringEquals 'y') OR @Resource[c] StringEquals 'z'`,
    );
    parseCondition(
      `@Resource[a] StringEquals 'x' AND (@Resource[b] StringEquals 'y' OR @Resource[c] StringEquals 'z')`,
    );
  });
});
