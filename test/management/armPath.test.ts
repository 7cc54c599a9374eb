import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFilter } from '../../src/management/arm/filters.js';
import { canonicalPath, parseArmPath } from '../../src/management/arm/path.js';

const SUB = '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333';
const STORE = `${SUB}/resourceGroups/rg/providers/Microsoft.AppConfiguration/configurationStores/cs`;

describe('ARM path parsing', () => {
  it('splits an authorization path at the last Microsoft.Authorization provider, in any case', () => {
    assert.deepEqual(parseArmPath(`${STORE}/providers/Microsoft.Authorization/roleAssignments/abc`), {
      kind: 'authorization',
      scope: STORE,
      collection: 'roleAssignments',
      name: 'abc',
    });
    assert.deepEqual(parseArmPath(`${SUB}/PROVIDERS/microsoft.authorization/roledefinitions`), {
      kind: 'authorization',
      scope: SUB,
      collection: 'roledefinitions',
    });
    // A scope may itself contain a Microsoft.Authorization segment; the last one is the operation.
    const nested = `${SUB}/providers/Microsoft.Authorization/locks/l1`;
    assert.deepEqual(parseArmPath(`${nested}/providers/Microsoft.Authorization/roleAssignments`), {
      kind: 'authorization',
      scope: nested,
      collection: 'roleAssignments',
    });
    assert.deepEqual(parseArmPath('/providers/Microsoft.Authorization/roleDefinitions/x'), {
      kind: 'authorization',
      scope: '/',
      collection: 'roleDefinitions',
      name: 'x',
    });
    assert.equal(parseArmPath(`${SUB}/providers/Microsoft.Authorization/roleAssignments/a/b`), undefined);
  });

  it('names subscriptions, groups, provider resources and their actions', () => {
    assert.deepEqual(parseArmPath('/subscriptions'), { kind: 'subscriptions' });
    assert.deepEqual(parseArmPath('/tenants'), { kind: 'tenants' });
    assert.deepEqual(parseArmPath(`${SUB}/resourcegroups`), {
      kind: 'resourceGroups',
      subscriptionId: '0b1f6471-1bf0-4dda-aec3-111122223333',
    });
    assert.deepEqual(parseArmPath(`${STORE}/listKeys`), {
      kind: 'providerResource',
      subscriptionId: '0b1f6471-1bf0-4dda-aec3-111122223333',
      resourceGroup: 'rg',
      namespace: 'Microsoft.AppConfiguration',
      type: 'configurationStores',
      name: 'cs',
      action: 'listKeys',
    });
    assert.deepEqual(parseArmPath(`${SUB}/providers/Microsoft.Media/mediaservices`), {
      kind: 'providerResource',
      subscriptionId: '0b1f6471-1bf0-4dda-aec3-111122223333',
      namespace: 'Microsoft.Media',
      type: 'mediaservices',
    });
    assert.equal(parseArmPath(`${SUB}/providers/Microsoft.Media/mediaservices/m`), undefined);
    assert.equal(parseArmPath(`${SUB}/widgets`), undefined);
    assert.equal(parseArmPath('/subscriptions/%E0%A4%A'), undefined, 'a bad escape is no path');
    assert.equal(
      parseArmPath(`${SUB}/resourceGroups/rg%2Fproviders%2FMicrosoft.Media%2Fmediaservices%2Fm`),
      undefined,
      'an encoded slash cannot move the scope',
    );
  });

  it('decodes segments and ignores doubled slashes', () => {
    assert.deepEqual(parseArmPath('//subscriptions//s/resourceGroups/my%28rg%29'), {
      kind: 'resourceGroup',
      subscriptionId: 's',
      resourceGroup: 'my(rg)',
    });
    assert.equal(canonicalPath('//subscriptions//s/?api-version=1'), '/subscriptions/s');
  });
});

describe('OData $filter for authorization lists', () => {
  const allowed = ['atScope', 'principalId', 'assignedTo', 'roleName'];
  it('parses the clauses ARM accepts, joined by and', () => {
    assert.deepEqual(parseFilter("atScope() and assignedTo('abc')", allowed), [
      { kind: 'atScope' },
      { kind: 'assignedTo', value: 'abc' },
    ]);
    assert.deepEqual(parseFilter("roleName eq 'Reader and Writer''s'", allowed), [
      { kind: 'eq', property: 'roleName', value: "Reader and Writer's" },
    ]);
    assert.deepEqual(parseFilter(undefined, allowed), []);
  });

  it('refuses anything else', () => {
    for (const filter of [
      "type eq 'x'",
      'atScope',
      "principalId eq 'a' or atScope()",
      "principalId ne 'a'",
    ]) {
      assert.throws(() => parseFilter(filter, allowed), /UnsupportedQuery|not supported/, filter);
    }
  });
});
