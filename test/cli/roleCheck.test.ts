import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CheckAccessEntry } from '../../src/management/resources/checkAccessDecision.js';
import { Tessera } from '../../src/tessera.js';
import { cliFolder } from './support.js';
import type { CliFolder } from './support.js';

const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const KV_READ = 'Microsoft.AppConfiguration/configurationStores/keyValues/read';

describe('tessera role check', () => {
  let f: CliFolder;
  let sub: string;
  let rg: string;
  let upn: string;
  let userId: string;
  let appId: string;
  let spId: string;
  let groupId: string;
  let readerAssignment: string;
  let denyId: string;

  before(async () => {
    f = cliFolder();
    const tessera = await Tessera.open({ dataDir: f.dataDir });
    try {
      const bootstrap = await tessera.bootstrap();
      assert.ok(bootstrap);
      const { tenant, subscription, resourceGroup } = bootstrap;
      sub = `/subscriptions/${subscription.subscriptionId}`;
      rg = `${sub}/resourceGroups/${resourceGroup.name}`;
      const user = await tessera.directory.users.create(tenant, {
        userPrincipalName: `ada@${tenant.domain}`,
        displayName: 'Ada',
        password: 'Correct-Horse-9',
      });
      upn = user.userPrincipalName;
      userId = user.objectId;
      const { application, servicePrincipal } = await tessera.directory.registerApplication(tenant, {
        displayName: 'checker',
      });
      appId = application.appId;
      spId = servicePrincipal.objectId;
      const group = await tessera.directory.groups.create(tenant.id, {
        displayName: 'Auditors',
        mailNickname: 'auditors',
      });
      groupId = group.objectId;
      await tessera.directory.groups.addMember(group, userId);
      readerAssignment = (
        await tessera.roleAssignments.create({
          tenantId: tenant.id,
          scope: rg,
          roleDefinition: 'Reader',
          principalId: groupId,
        })
      ).id;
      await tessera.roleAssignments.create({
        tenantId: tenant.id,
        scope: sub,
        roleDefinition: 'App Configuration Data Owner',
        principalId: spId,
      });
      denyId = (
        await tessera.denyAssignments.create({
          tenantId: tenant.id,
          scope: sub,
          denyAssignmentName: 'No key writes',
          permissions: [
            {
              actions: [],
              notActions: [],
              dataActions: ['Microsoft.AppConfiguration/configurationStores/keyValues/write'],
              notDataActions: [],
            },
          ],
          principals: [{ id: spId, type: 'ServicePrincipal' }],
        })
      ).id;
    } finally {
      await tessera.close();
    }
  });
  after(() => f.remove());

  const check = (assignee: string, action: string, scope: string, ...more: string[]) =>
    f.json<CheckAccessEntry>(
      'role check',
      '--assignee',
      assignee,
      '--action',
      action,
      '--scope',
      scope,
      ...more,
    );

  it('prints the API entry for a user granted through a group, found by UPN', async () => {
    const entry = await check(
      upn,
      'Microsoft.Storage/storageAccounts/read',
      `${rg}/providers/Microsoft.Storage/storageAccounts/sa`,
    );
    assert.deepEqual(entry, {
      accessDecision: 'Allowed',
      actionId: 'Microsoft.Storage/storageAccounts/read',
      isDataAction: false,
      reason: 'RoleAssignment',
      roleAssignment: {
        condition: null,
        conditionVersion: null,
        id: readerAssignment,
        principalId: groupId,
        principaltype: 'Group',
        roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
        roleDefinitionName: 'Reader',
        scope: rg,
      },
      timeToLiveInMs: 1000,
    });
    const write = await check(upn, 'Microsoft.Storage/storageAccounts/write', rg);
    assert.equal(write.accessDecision, 'NotAllowed');
    assert.equal(write.reason, 'NoRoleAssignment');
    assert.equal(write.roleAssignment, undefined);
  });

  it('finds a service principal by appId or object id and a group by name; data actions apart', async () => {
    const byAppId = await check(appId, KV_READ, rg, '--data-action');
    assert.equal(byAppId.accessDecision, 'Allowed');
    assert.equal(byAppId.roleAssignment?.roleDefinitionName, 'App Configuration Data Owner');
    assert.equal(byAppId.roleAssignment?.principaltype, 'ServicePrincipal');
    // The same name as a management action is granted by nothing.
    assert.equal((await check(spId, KV_READ, rg)).accessDecision, 'NotAllowed');
    const group = await check('Auditors', 'Microsoft.Resources/subscriptions/resourceGroups/read', rg);
    assert.equal(group.roleAssignment?.principalId, groupId);
    assert.equal(
      (await check(groupId, 'Microsoft.Resources/subscriptions/resourceGroups/read', sub)).accessDecision,
      'NotAllowed',
    );
  });

  it('names the deny assignment that refuses', async () => {
    const entry = await check(
      appId,
      'Microsoft.AppConfiguration/configurationStores/keyValues/write',
      rg,
      '--data-action',
    );
    assert.deepEqual(
      { decision: entry.accessDecision, reason: entry.reason, deny: entry.denyAssignment },
      {
        decision: 'Denied',
        reason: 'DenyAssignment',
        deny: { id: denyId, name: 'No key writes', scope: sub },
      },
    );
  });

  it('refuses an unknown assignee, scope or a malformed action as a usage error', async () => {
    const usage = async (expected: RegExp, ...args: string[]) => {
      const result = await f.cli('role check', ...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, expected);
    };
    const read = ['--action', 'Microsoft.Storage/storageAccounts/read'];
    await usage(
      /--assignee: Cannot find user or service principal in graph database for 'nobody@nowhere'/,
      '--assignee',
      'nobody@nowhere',
      ...read,
      '--scope',
      rg,
    );
    await usage(
      /--scope: Resource group 'missing' could not be found/,
      '--assignee',
      upn,
      ...read,
      '--scope',
      `${sub}/resourceGroups/missing`,
    );
    await usage(
      /--scope: the subscription '0f0f0f0f-0000-4000-8000-000000000001' could not be found/,
      '--assignee',
      upn,
      ...read,
      '--scope',
      '/subscriptions/0f0f0f0f-0000-4000-8000-000000000001',
    );
    await usage(/--scope '\/tenants' is not valid/, '--assignee', upn, ...read, '--scope', '/tenants');
    await usage(
      /--action 'Microsoft\.Storage\/\*' is not valid/,
      '--assignee',
      upn,
      '--action',
      'Microsoft.Storage/*',
      '--scope',
      rg,
    );
    await usage(
      /--request-attribute 'novalue' is not of the form/,
      '--assignee',
      upn,
      ...read,
      '--scope',
      rg,
      '--request-attribute',
      'novalue',
    );
    await usage(/required option '--scope <scope>' not specified/, '--assignee', upn, ...read);
  });
});
