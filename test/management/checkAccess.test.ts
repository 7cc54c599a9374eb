import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccessDecision, IndexedAssignment } from '../../src/access/accessIndex.js';
import type { ConditionAttributes } from '../../src/access/conditions/conditionAttributes.js';
import type { DenyAssignment } from '../../src/access/denyAssignments.js';
import type { Group } from '../../src/directory/groups.js';
import type { CheckAccessEntry } from '../../src/management/resources/checkAccessDecision.js';
import { checkAccessEntries } from '../../src/management/resources/checkAccessDecision.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { arm, armFixture, expectArmError, principalWithRole } from './support.js';
import type { ArmFixture } from './support.js';

const PATH = '/providers/Microsoft.Authorization/checkAccess?api-version=2021-06-01-preview';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const APP_CONFIG_DATA_READER = '516239f1-63e1-4d78-a4de-a74fb236a071';
const KV_READ = 'Microsoft.AppConfiguration/configurationStores/keyValues/read';

interface Answer {
  value: CheckAccessEntry[];
}

type Principal = Awaited<ReturnType<typeof principalWithRole>>;

const question = (
  objectId: string,
  scope: string,
  actions: Array<{ Id: string; IsDataAction?: boolean; Attributes?: Record<string, unknown> }>,
) => ({ Subject: { Attributes: { ObjectId: objectId } }, Actions: actions, Resource: { Id: scope } });

describe('POST /providers/Microsoft.Authorization/checkAccess', () => {
  let t: TestServer;
  let f: ArmFixture;
  let caller: Principal;
  let auditor: Principal;
  let outsider: Principal;
  let group: Group;
  let deny: DenyAssignment;

  const ask = (token: string, body: unknown) => arm<Answer>(t, 'POST', PATH, { token, body });
  const assignmentId = (scope: string, name: string) =>
    `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
  const definitionId = (guid: string) =>
    `${f.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    const { tessera } = t.server;
    caller = await principalWithRole(t, { displayName: 'caller', role: 'Contributor', scope: f.groupScope });
    auditor = await principalWithRole(t, { displayName: 'auditor', role: 'Reader', scope: f.groupScope });
    outsider = await principalWithRole(t, { displayName: 'outsider' });
    // The caller reads key-values through a group nested in another group.
    const inner = await tessera.directory.groups.create(t.tenant.id, {
      displayName: 'inner',
      mailNickname: 'i',
    });
    group = await tessera.directory.groups.create(t.tenant.id, { displayName: 'outer', mailNickname: 'o' });
    await tessera.directory.groups.addMember(inner, caller.servicePrincipal.objectId);
    await tessera.directory.groups.addMember(group, inner.objectId);
    await tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: f.subscriptionScope,
      roleDefinition: 'App Configuration Data Reader',
      principalId: group.objectId,
    });
    deny = await tessera.denyAssignments.create({
      tenantId: t.tenant.id,
      scope: f.groupScope,
      denyAssignmentName: 'No deletes',
      permissions: [{ actions: ['*/delete'], notActions: [], dataActions: [], notDataActions: [] }],
      principals: [{ id: inner.objectId, type: 'Group' }],
    });
  });
  after(async () => t.stop());

  it('answers the caller about itself: assignment, group grant, deny and refusal, in order', async () => {
    const [contributor] = await t.server.tessera.roleAssignments.list({
      scope: f.groupScope,
      principalId: caller.servicePrincipal.objectId,
    });
    const [groupGrant] = await t.server.tessera.roleAssignments.list({ principalId: group.objectId });
    assert.ok(contributor && groupGrant);
    const actions = [
      { Id: 'Microsoft.Storage/storageAccounts/write' },
      { Id: KV_READ, IsDataAction: true },
      { Id: 'Microsoft.Storage/storageAccounts/delete' },
      { Id: 'Microsoft.Authorization/roleAssignments/write' },
      { Id: 'Microsoft.AppConfiguration/configurationStores/keyValues/write', IsDataAction: true },
    ];
    const response = await ask(
      caller.token,
      question(caller.servicePrincipal.objectId, f.groupScope, actions),
    );
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json.value, [
      {
        actionId: 'Microsoft.Storage/storageAccounts/write',
        isDataAction: false,
        accessDecision: 'Allowed',
        reason: 'RoleAssignment',
        timeToLiveInMs: 1000,
        roleAssignment: {
          id: assignmentId(f.groupScope, contributor.name),
          roleDefinitionId: definitionId(CONTRIBUTOR),
          roleDefinitionName: 'Contributor',
          principalId: caller.servicePrincipal.objectId,
          principaltype: 'ServicePrincipal',
          scope: f.groupScope,
          condition: null,
          conditionVersion: null,
        },
      },
      {
        actionId: KV_READ,
        isDataAction: true,
        accessDecision: 'Allowed',
        reason: 'RoleAssignment',
        timeToLiveInMs: 1000,
        roleAssignment: {
          id: assignmentId(f.subscriptionScope, groupGrant.name),
          roleDefinitionId: definitionId(APP_CONFIG_DATA_READER),
          roleDefinitionName: 'App Configuration Data Reader',
          principalId: group.objectId,
          principaltype: 'Group',
          scope: f.subscriptionScope,
          condition: null,
          conditionVersion: null,
        },
      },
      {
        actionId: 'Microsoft.Storage/storageAccounts/delete',
        isDataAction: false,
        accessDecision: 'Denied',
        reason: 'DenyAssignment',
        timeToLiveInMs: 1000,
        denyAssignment: { id: deny.id, name: 'No deletes', scope: f.groupScope },
      },
      {
        actionId: 'Microsoft.Authorization/roleAssignments/write',
        isDataAction: false,
        accessDecision: 'NotAllowed',
        reason: 'NoRoleAssignment',
        timeToLiveInMs: 1000,
      },
      {
        actionId: 'Microsoft.AppConfiguration/configurationStores/keyValues/write',
        isDataAction: true,
        accessDecision: 'NotAllowed',
        reason: 'NoRoleAssignment',
        timeToLiveInMs: 1000,
      },
    ]);
    // The same read as a management action is not the data action.
    const asAction = await ask(
      caller.token,
      question(caller.servicePrincipal.objectId, f.subscriptionScope, [{ Id: KV_READ }]),
    );
    assert.equal(asAction.json.value[0]?.accessDecision, 'NotAllowed');
  });

  it('takes the keys in any case, ignores Subject.Groups and asks the directory instead', async () => {
    const response = await ask(outsider.token, {
      subject: {
        attributes: { objectId: outsider.servicePrincipal.objectId.toUpperCase(), groups: [group.objectId] },
      },
      actions: [{ id: KV_READ, isDataAction: true }],
      resource: { id: f.groupScope.toUpperCase() },
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.value[0]?.accessDecision, 'NotAllowed');
    assert.equal(response.json.value[0]?.reason, 'NoRoleAssignment');
  });

  it('answers about another principal only with roleAssignments/read at the resource', async () => {
    const about = question(caller.servicePrincipal.objectId, f.groupScope, [
      { Id: 'Microsoft.Storage/storageAccounts/write' },
    ]);
    const allowed = await ask(auditor.token, about);
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(allowed.json.value[0]?.roleAssignment?.roleDefinitionName, 'Contributor');
    // A resource below the group inherits the auditor's read.
    const below = `${f.groupScope}/providers/Microsoft.Storage/storageAccounts/sa1`;
    const inherited = await ask(auditor.token, { ...about, Resource: { Id: below } });
    assert.equal(inherited.status, 200, inherited.text);
    assert.equal(inherited.json.value[0]?.accessDecision, 'Allowed');

    // Above its read, and for a caller with no read at all: ARM's 403, naming the scope asked about.
    expectArmError(
      await ask(auditor.token, { ...about, Resource: { Id: f.subscriptionScope } }),
      403,
      'AuthorizationFailed',
      `The client '${auditor.application.appId}' with object id '${auditor.servicePrincipal.objectId}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '${f.subscriptionScope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    expectArmError(await ask(outsider.token, about), 403, 'AuthorizationFailed');
    // Refused before the principal or the group is looked up: nothing about either leaks.
    const missingGroup = `${f.subscriptionScope}/resourceGroups/nowhere`;
    expectArmError(
      await ask(
        outsider.token,
        question('0f0f0f0f-0000-4000-8000-000000000000', missingGroup, [{ Id: 'a/b' }]),
      ),
      403,
      'AuthorizationFailed',
    );
  });

  it('refuses an unknown principal, group or subscription once the caller may ask', async () => {
    const ghost = '0f0f0f0f-0000-4000-8000-000000000000';
    expectArmError(
      await ask(
        auditor.token,
        question(ghost, f.groupScope, [{ Id: 'Microsoft.Storage/storageAccounts/read' }]),
      ),
      400,
      'PrincipalNotFound',
      `Principal ${ghost} does not exist in the directory ${t.tenant.id}. Check that you have the correct principal ID.`,
    );
    const self = caller.servicePrincipal.objectId;
    expectArmError(
      await ask(
        caller.token,
        question(self, `${f.subscriptionScope}/resourceGroups/nowhere`, [{ Id: 'a/b' }]),
      ),
      404,
      'ResourceGroupNotFound',
    );
    expectArmError(
      await ask(
        caller.token,
        question(self, '/subscriptions/0f0f0f0f-0000-4000-8000-000000000001', [{ Id: 'a/b' }]),
      ),
      404,
      'SubscriptionNotFound',
    );
  });

  it('answers every malformed request with a 400 that says what is wrong', async () => {
    const self = caller.servicePrincipal.objectId;
    const good = question(self, f.groupScope, [{ Id: 'Microsoft.Storage/storageAccounts/read' }]);
    const cases: Array<[string, unknown, string, RegExp]> = [
      ['an array body', [good], 'InvalidRequestContent', /must be a JSON object/],
      [
        'no Subject',
        { ...good, Subject: undefined },
        'InvalidCheckAccessRequest',
        /Subject\.Attributes\.ObjectId' is required/,
      ],
      [
        'an ObjectId that is not a GUID',
        question('me', f.groupScope, [{ Id: 'a/b' }]),
        'InvalidPrincipalId',
        /'me' is not valid/,
      ],
      [
        'an ObjectId number',
        { ...good, Subject: { Attributes: { ObjectId: 7 } } },
        'InvalidRequestContent',
        /ObjectId' must be a string/,
      ],
      ['no Actions', { ...good, Actions: undefined }, 'InvalidCheckAccessRequest', /at least one action/],
      ['empty Actions', { ...good, Actions: [] }, 'InvalidCheckAccessRequest', /at least one action/],
      [
        'Actions an object',
        { ...good, Actions: { Id: 'a/b' } },
        'InvalidRequestContent',
        /'Actions' must be an array/,
      ],
      [
        'an action that is a string',
        { ...good, Actions: ['a/b'] },
        'InvalidRequestContent',
        /'Actions\[0\]' must be a JSON object/,
      ],
      [
        'an action without Id',
        { ...good, Actions: [{ IsDataAction: true }] },
        'InvalidCheckAccessRequest',
        /'Actions\[0\]\.Id' is required/,
      ],
      [
        'a wildcard action',
        { ...good, Actions: [{ Id: 'Microsoft.Storage/*' }] },
        'InvalidCheckAccessRequest',
        /without wildcards/,
      ],
      [
        'an action without a slash',
        { ...good, Actions: [{ Id: 'read' }] },
        'InvalidCheckAccessRequest',
        /'Actions\[0\]\.Id' is not valid/,
      ],
      [
        'IsDataAction a string',
        { ...good, Actions: [{ Id: 'a/b', IsDataAction: 'yes' }] },
        'InvalidRequestContent',
        /IsDataAction' must be a boolean/,
      ],
      [
        'an attribute object',
        { ...good, Actions: [{ Id: 'a/b', Attributes: { k: { v: 1 } } }] },
        'InvalidRequestContent',
        /Attributes\['k'\]' must be a string/,
      ],
      [
        'Attributes an array',
        { ...good, Resource: { Id: f.groupScope, Attributes: ['x'] } },
        'InvalidRequestContent',
        /'Resource\.Attributes' must be a JSON object/,
      ],
      [
        'a list SubOperation',
        { ...good, Actions: [{ Id: 'a/b', Attributes: { SubOperation: ['x'] } }] },
        'InvalidRequestContent',
        /SubOperation'\]' must be a string/,
      ],
      [
        'no Resource',
        { ...good, Resource: undefined },
        'InvalidCheckAccessRequest',
        /'Resource\.Id' is required/,
      ],
      [
        'a Resource.Id that is no scope',
        { ...good, Resource: { Id: '/tenants/x' } },
        'InvalidScope',
        /'\/tenants\/x' is not valid/,
      ],
      ['the tenant root', { ...good, Resource: { Id: '/' } }, 'InvalidScope', /is not valid/],
      [
        'one key twice',
        { ...good, actions: good.Actions },
        'InvalidRequestContent',
        /'Actions' is given more than once \(Actions, actions\)/,
      ],
      [
        '101 actions',
        { ...good, Actions: Array.from({ length: 101 }, () => ({ Id: 'a/b' })) },
        'InvalidCheckAccessRequest',
        /lists 101 actions; at most 100/,
      ],
    ];
    for (const [what, body, code, message] of cases) {
      const response = await ask(caller.token, body);
      assert.match(expectArmError(response, 400, code), message, what);
    }
    const hundred = await ask(caller.token, {
      ...good,
      Actions: Array.from({ length: 100 }, (_, i) => ({ Id: `a/b${i}` })),
    });
    assert.equal(hundred.status, 200, hundred.text);
    assert.equal(hundred.json.value.length, 100);
    expectArmError(
      await arm(t, 'POST', PATH, { token: caller.token, body: '{"Subject":' }),
      400,
      'InvalidRequestContent',
    );
  });

  it('bounds the body at 64 KiB, and serves POST at the root with its one api-version', async () => {
    const self = caller.servicePrincipal.objectId;
    const padded = question(self, f.groupScope, [{ Id: 'a/b', Attributes: { pad: 'x'.repeat(64 * 1024) } }]);
    expectArmError(
      await ask(caller.token, padded),
      413,
      'RequestEntityTooLarge',
      'The request content size exceeds the maximum of 65536 bytes.',
    );
    const body = question(self, f.groupScope, [{ Id: 'a/b' }]);
    expectArmError(await arm(t, 'GET', PATH, { token: caller.token }), 405, 'MethodNotAllowed');
    expectArmError(
      await arm(t, 'POST', PATH.replace('2021-06-01-preview', '2022-04-01'), { token: caller.token, body }),
      400,
      'InvalidApiVersionParameter',
      "The api-version '2022-04-01' is invalid. The supported versions are '2021-06-01-preview'.",
    );
    expectArmError(
      await arm(t, 'POST', `${f.subscriptionScope}${PATH}`, { token: caller.token, body }),
      404,
      'NotFound',
    );
    expectArmError(
      await arm(t, 'POST', PATH.replace('checkAccess', 'checkAccess/x'), { token: caller.token, body }),
      404,
      'NotFound',
    );
    expectArmError(await arm(t, 'POST', PATH, { body }), 401, 'AuthenticationFailed');
  });

  it('agrees with the engine on every entry, and sees a change at once', async () => {
    const { tessera } = t.server;
    const self = auditor.servicePrincipal.objectId;
    const actions = ['Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/write'];
    const before = await ask(
      auditor.token,
      question(
        self,
        f.groupScope,
        actions.map((Id) => ({ Id })),
      ),
    );
    assert.deepEqual(
      before.json.value.map((e) => e.accessDecision),
      ['Allowed', 'NotAllowed'],
    );
    const granted = await tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: f.groupScope,
      roleDefinition: 'Contributor',
      principalId: self,
    });
    const afterGrant = await ask(
      auditor.token,
      question(
        self,
        f.groupScope,
        actions.map((Id) => ({ Id })),
      ),
    );
    for (const [i, entry] of afterGrant.json.value.entries()) {
      const decision = await tessera.access.evaluate(self, actions[i] ?? '', f.groupScope, 'action');
      assert.equal(entry.accessDecision, decision.allowed ? 'Allowed' : 'NotAllowed');
      assert.equal(
        entry.roleAssignment?.id,
        decision.allowed
          ? assignmentId(decision.roleAssignment.scope, decision.roleAssignment.name)
          : undefined,
      );
    }
    assert.equal(afterGrant.json.value[1]?.roleAssignment?.id, granted.id);
    assert.equal(afterGrant.json.value[0]?.roleAssignment?.roleDefinitionId, definitionId(READER));
  });
});

/** The mapping of refusals that name a grant, and the attributes each action is decided with. */
describe('checkAccessEntries', () => {
  const assignment: IndexedAssignment = {
    name: '6f1a0c2e-0000-4000-8000-00000000000a',
    scope: '/subscriptions/6f1a0c2e-0000-4000-8000-000000000001/resourceGroups/rg',
    principalId: '6f1a0c2e-0000-4000-8000-00000000000b',
    roleDefinitionId: '6f1a0c2e-0000-4000-8000-00000000000c',
    condition:
      "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'",
  };
  const records = {
    find: async (name: string) =>
      name === assignment.name
        ? {
            id: `${assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
            principalType: 'User' as const,
          }
        : undefined,
  };

  it('reports ConditionNotMet and AttributesRequired with the grant they name', async () => {
    const seen: Array<ConditionAttributes | undefined> = [];
    const index = {
      evaluate: (
        _p: string,
        op: string,
        _s: string,
        _k: string,
        attributes?: ConditionAttributes,
      ): AccessDecision => {
        seen.push(attributes);
        const reason = op.endsWith('/read') ? 'ConditionNotMet' : 'AttributesRequired';
        return { allowed: false, reason, roleAssignment: assignment, roleName: 'Storage Blob Data Reader' };
      },
    };
    const entries = await checkAccessEntries(index, records, {
      principalId: assignment.principalId,
      scope: assignment.scope,
      actions: [
        {
          id: 'Microsoft.Storage/x/blobs/read',
          isDataAction: true,
          requestAttributes: { a: 'b' },
          subOperation: 'Blob.List',
        },
        { id: 'Microsoft.Storage/x/blobs/write', isDataAction: true },
      ],
      resourceAttributes: { 'Microsoft.Storage/storageAccounts/blobServices/containers:name': ['logs', 'x'] },
    });
    const roleAssignment = {
      id: `${assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`,
      roleDefinitionId: `/subscriptions/6f1a0c2e-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/${assignment.roleDefinitionId}`,
      roleDefinitionName: 'Storage Blob Data Reader',
      principalId: assignment.principalId,
      principaltype: 'User',
      scope: assignment.scope,
      condition: assignment.condition,
      conditionVersion: '2.0',
    };
    assert.deepEqual(entries, [
      {
        actionId: 'Microsoft.Storage/x/blobs/read',
        isDataAction: true,
        accessDecision: 'NotAllowed',
        reason: 'ConditionNotMet',
        timeToLiveInMs: 1000,
        roleAssignment,
      },
      {
        actionId: 'Microsoft.Storage/x/blobs/write',
        isDataAction: true,
        accessDecision: 'NotAllowed',
        reason: 'AttributesRequired',
        timeToLiveInMs: 1000,
        roleAssignment,
      },
    ]);
    // Request attributes per action, the resource's for all; the suboperation apart.
    assert.deepEqual(seen, [
      {
        request: { a: 'b' },
        resource: { 'Microsoft.Storage/storageAccounts/blobServices/containers:name': ['logs', 'x'] },
        subOperation: 'Blob.List',
      },
      {
        request: {},
        resource: { 'Microsoft.Storage/storageAccounts/blobServices/containers:name': ['logs', 'x'] },
      },
    ]);
  });

  it('decides without attributes when none are given, and reads each assignment once', async () => {
    const seen: Array<ConditionAttributes | undefined> = [];
    let reads = 0;
    const index = {
      evaluate: (
        _p: string,
        _o: string,
        _s: string,
        _k: string,
        attributes?: ConditionAttributes,
      ): AccessDecision => {
        seen.push(attributes);
        return { allowed: true, roleAssignment: assignment, roleName: 'Owner' };
      },
    };
    const counting = { find: async (name: string) => (reads++, records.find(name)) };
    const entries = await checkAccessEntries(index, counting, {
      principalId: assignment.principalId,
      scope: assignment.scope,
      actions: Array.from({ length: 5 }, (_, i) => ({ id: `a/b${i}`, isDataAction: false })),
    });
    assert.deepEqual(seen, [undefined, undefined, undefined, undefined, undefined]);
    assert.equal(reads, 1);
    assert.ok(
      entries.every((e) => e.accessDecision === 'Allowed' && e.roleAssignment?.principaltype === 'User'),
    );
  });
});

// Azure's built-in blocks guard delegation: Azure Container Storage Contributor may assign one role.
const CONTAINER_STORAGE_OPERATOR = '08d4c71a-cc63-4ce4-a9c8-5dd251b4d619';

describe('checkAccess with conditions', () => {
  let t: TestServer;
  let f: ArmFixture;
  let delegate: Principal;
  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
    delegate = await principalWithRole(t, {
      displayName: 'delegate',
      role: 'Azure Container Storage Contributor',
      scope: f.groupScope,
    });
  });
  after(async () => t.stop());

  it('needs the attributes, then decides by them', async () => {
    const write = 'Microsoft.Authorization/roleAssignments/write';
    const key = 'Microsoft.Authorization/roleAssignments:RoleDefinitionId';
    const self = delegate.servicePrincipal.objectId;
    const response = await arm<Answer>(t, 'POST', PATH, {
      token: delegate.token,
      body: question(self, f.groupScope, [{ Id: write }]),
    });
    assert.equal(response.json.value[0]?.reason, 'AttributesRequired', response.text);
    assert.equal(
      response.json.value[0]?.roleAssignment?.roleDefinitionName,
      'Azure Container Storage Contributor',
    );
    const decide = async (role: string) =>
      (
        await arm<Answer>(t, 'POST', PATH, {
          token: delegate.token,
          body: question(self, f.groupScope, [{ Id: write, Attributes: { [key]: role } }]),
        })
      ).json.value[0];
    assert.equal((await decide(CONTAINER_STORAGE_OPERATOR))?.accessDecision, 'Allowed');
    const refused = await decide(CONTRIBUTOR);
    assert.equal(refused?.accessDecision, 'NotAllowed');
    assert.equal(refused?.reason, 'ConditionNotMet');
    assert.equal(refused?.roleAssignment?.principalId, self);
  });
});
