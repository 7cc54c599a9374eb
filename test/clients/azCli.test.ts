import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { findRoleDefinition } from '../../src/access/roleDefinitions.js';
import type { Group } from '../../src/directory/groups.js';
import type { User } from '../../src/directory/model.js';
import { registerSecretClient, verifyAccessToken } from '../support/authority.js';
import type { SecretClient } from '../support/authority.js';
import { launchBrowser } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { AZURE_CLI, PASSWORD, createUser } from '../support/users.js';
import { AzCli, requireAz } from './support/azCli.js';
import { approveDeviceCode } from './support/deviceApproval.js';
import { createClientSandbox } from './support/sandbox.js';
import type { ClientSandbox } from './support/sandbox.js';

interface AzSubscription {
  id: string;
  tenantId: string;
  homeTenantId: string;
  cloudName?: string;
  environmentName?: string;
  isDefault: boolean;
  user: { name: string; type: string };
}

interface AzCloud {
  name: string;
  isActive: boolean;
  endpoints: Record<string, string | null>;
}

const roleId = (subscriptionId: string, roleName: string): string =>
  `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${findRoleDefinition(roleName)?.name ?? ''}`;

/**
 * Debian's azure-cli 2.45, unmodified, against Tessera: the cloud registered by autodetect, the
 * three ways to sign in, and the management API. Each identity signs in once into a config dir
 * of its own; a cloud registered once is copied into the others (the two files az keeps it in).
 */
describe('Debian azure-cli 2.45 against Tessera', () => {
  let t: TestServer;
  let sandbox: ClientSandbox;
  let browser: TestBrowser | undefined;
  let subscriptionId: string;
  let owner: SecretClient;
  let alice: User;
  let admin: AzCli;

  /** An az with the registered cloud active and nobody signed in. */
  const freshAz = (name: string): AzCli => {
    const az = new AzCli(sandbox, sandbox.folder(name));
    for (const file of ['config', 'clouds.config'])
      copyFileSync(join(admin.configDir, file), join(az.configDir, file));
    return az;
  };

  const servicePrincipalLogin = (az: AzCli, client: SecretClient) =>
    az.json<AzSubscription[]>([
      'login',
      '--service-principal',
      '--username',
      client.application.appId,
      // One word: a secret may begin with '-', which az's parser would take for an option (as az
      // itself advises, `-p=secret`).
      `--password=${client.secret}`,
      '--tenant',
      t.tenant.id,
    ]);

  before(async () => {
    await requireAz();
    t = await startTestServer();
    sandbox = createClientSandbox();
    subscriptionId = t.server.bootstrap?.subscription.subscriptionId ?? '';
    owner = await registerSecretClient(t, { displayName: 'deployer' });
    await t.server.tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: `/subscriptions/${subscriptionId}`,
      roleDefinition: 'Owner',
      principalId: owner.servicePrincipal.objectId,
    });
    alice = await createUser(t, 'alice');
    admin = new AzCli(sandbox, sandbox.folder('deployer'));
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    sandbox?.remove();
  });

  it('registers the cloud from the metadata endpoint alone and makes it active', async () => {
    await admin.json([
      'cloud',
      'register',
      '--name',
      'Tessera',
      '--endpoint-resource-manager',
      `${t.origin}/`,
    ]);
    await admin.json(['cloud', 'set', '--name', 'Tessera']);
    const cloud = await admin.json<AzCloud>(['cloud', 'show']);
    assert.equal(cloud.name, 'Tessera');
    assert.equal(cloud.isActive, true);
    assert.equal(cloud.endpoints.resourceManager, `${t.origin}/`);
    assert.equal(cloud.endpoints.management, `${t.origin}/`);
    // The ADFS form: az and MSAL then skip instance discovery at login.microsoftonline.com.
    assert.equal(cloud.endpoints.activeDirectory, `${t.origin}/adfs/`);
    assert.equal(cloud.endpoints.activeDirectoryResourceId, `${t.origin}/`);
    assert.equal(cloud.endpoints.activeDirectoryGraphResourceId, `${t.origin}/`);
  });

  it("reads every endpoint, Microsoft Graph's too, through ARM_CLOUD_METADATA_URL", async () => {
    const az = new AzCli(sandbox, sandbox.folder('metadata-url'), {
      ARM_CLOUD_METADATA_URL: `${t.origin}/metadata/endpoints?api-version=2019-05-01`,
      // az fetches this URL with urllib, which trusts OpenSSL's default store, not REQUESTS_CA_BUNDLE.
      SSL_CERT_FILE: sandbox.caBundle,
    });
    const cloud = await az.json<AzCloud>(['cloud', 'show', '--name', 'Tessera']);
    assert.equal(cloud.endpoints.resourceManager, `${t.origin}/`);
    assert.equal(cloud.endpoints.activeDirectory, `${t.origin}/adfs/`);
    assert.equal(cloud.endpoints.activeDirectoryResourceId, `${t.origin}/`);
    // Graph's own origin: az calls Graph at the URL it asks Graph tokens for.
    assert.match(cloud.endpoints.microsoftGraphResourceId ?? '', /^https:\/\/localhost:\d+\/$/);
    assert.notEqual(cloud.endpoints.microsoftGraphResourceId, `${t.origin}/`);
    assert.equal(cloud.endpoints.mediaResourceId, 'https://rest.media.azure.net');
  });

  it('signs a service principal in and manages resource groups', async () => {
    const subscriptions = await servicePrincipalLogin(admin, owner);
    assert.deepEqual(
      subscriptions.map((s) => [s.id, s.tenantId, s.cloudName, s.user.name, s.user.type]),
      [[subscriptionId, t.tenant.id, 'Tessera', owner.application.appId, 'servicePrincipal']],
    );

    const created = await admin.json<{ id: string; location: string }>([
      'group',
      'create',
      '--name',
      'az-rg',
      '--location',
      'westeurope',
      '--tags',
      'owner=az',
    ]);
    assert.equal(created.id, `/subscriptions/${subscriptionId}/resourceGroups/az-rg`);
    const groups = await admin.json<{ name: string; location: string; tags: Record<string, string> }[]>([
      'group',
      'list',
    ]);
    assert.deepEqual(groups.map((g) => [g.name, g.location]).sort(), [
      ['az-rg', 'westeurope'],
      ['tessera-rg', 'westus'],
    ]);
    assert.deepEqual(groups.find((g) => g.name === 'az-rg')?.tags, { owner: 'az' });

    await admin.json(['group', 'delete', '--name', 'az-rg', '--yes']);
    const left = await t.server.tessera.resourceGroups.list(subscriptionId);
    assert.deepEqual(
      left.map((g) => g.name),
      ['tessera-rg'],
    );
  });

  it("hands out the cloud's management token", async () => {
    const token = await admin.json<{ accessToken: string; subscription: string; tenant: string }>([
      'account',
      'get-access-token',
    ]);
    assert.equal(token.subscription, subscriptionId);
    assert.equal(token.tenant, t.tenant.id);
    // audiences[0] of the metadata: the server's own origin, which names the management API.
    const { aud } = decodeJwt(token.accessToken);
    assert.ok(aud === `${t.origin}/` || aud === t.origin, `aud ${String(aud)}`);
    const { payload } = await verifyAccessToken(t, token.accessToken, {
      version: 1,
      tenantId: t.tenant.id,
      audience: aud,
    });
    assert.equal(payload.appid, owner.application.appId);
    assert.equal(payload.idtyp, 'app');
  });

  it('creates a role assignment with az rest (Debian breaks az role)', async () => {
    const name = randomUUID();
    const assignment = await admin.json<{ id: string; properties: Record<string, string> }>([
      'rest',
      '--method',
      'put',
      '--url',
      `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`,
      '--body',
      JSON.stringify({
        properties: {
          roleDefinitionId: roleId(subscriptionId, 'Contributor'),
          principalId: alice.objectId,
          principalType: 'User',
        },
      }),
    ]);
    assert.equal(
      assignment.id,
      `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    );
    assert.equal(assignment.properties.principalId, alice.objectId);
    assert.equal(assignment.properties.roleDefinitionId, roleId(subscriptionId, 'Contributor'));
    assert.equal(assignment.properties.createdBy, owner.servicePrincipal.objectId);
  });

  describe('a person', () => {
    let az: AzCli;
    before(() => {
      az = freshAz('alice');
    });

    it("refuses a wrong password with Entra's AADSTS50126", async () => {
      const stderr = await az.fails([
        'login',
        '--username',
        alice.userPrincipalName,
        '--password',
        'Wrong-Horse-9',
      ]);
      assert.match(stderr, /AADSTS50126: Error validating credentials due to invalid username or password\./);
    });

    it('signs in with a password and sees the subscription her Contributor role reaches', async () => {
      const subscriptions = await az.json<AzSubscription[]>([
        'login',
        '--username',
        alice.userPrincipalName,
        '--password',
        PASSWORD,
      ]);
      assert.deepEqual(
        subscriptions.map((s) => [s.id, s.tenantId, s.homeTenantId, s.user.name, s.user.type, s.isDefault]),
        [[subscriptionId, t.tenant.id, t.tenant.id, alice.userPrincipalName, 'user', true]],
      );
      const shown = await az.json<AzSubscription>(['account', 'show']);
      assert.equal(shown.id, subscriptionId);
      assert.equal(shown.environmentName, 'Tessera');
      assert.equal(shown.user.name, alice.userPrincipalName);
      const listed = await az.json<AzSubscription[]>(['account', 'list']);
      assert.deepEqual(
        listed.map((s) => s.id),
        [subscriptionId],
      );
    });

    it('gets a token for another audience from the refresh token az cached', async () => {
      const token = await az.json<{ accessToken: string }>([
        'account',
        'get-access-token',
        '--resource',
        'https://management.azure.com/',
      ]);
      const { payload } = await verifyAccessToken(t, token.accessToken, {
        version: 1,
        tenantId: t.tenant.id,
        audience: 'https://management.azure.com/',
      });
      assert.equal(payload.oid, alice.objectId);
      assert.equal(payload.upn, alice.userPrincipalName);
      assert.equal(payload.appid, AZURE_CLI);
      assert.equal(payload.scp, 'user_impersonation');
    });

    // az rest picks the token's resource from the URL: one under the ARM endpoint gets a
    // management token, which Graph refuses; Graph's resource must be named.
    it('reads Microsoft Graph with az rest and a Graph token', async () => {
      const me = await az.json<{ id: string; userPrincipalName: string }>([
        'rest',
        '--url',
        `${t.origin}/v1.0/me`,
        '--resource',
        'https://graph.microsoft.com/',
      ]);
      assert.equal(me.id, alice.objectId);
      assert.equal(me.userPrincipalName, alice.userPrincipalName);

      const stderr = await az.fails(['rest', '--url', `${t.origin}/v1.0/me`]);
      assert.match(stderr, /Unauthorized\(.*"code":"InvalidAuthenticationToken"/);
    });

    it("runs az's own Graph commands with the cloud read from ARM_CLOUD_METADATA_URL", async () => {
      const graphAz = new AzCli(sandbox, sandbox.folder('alice-graph'), {
        ARM_CLOUD_METADATA_URL: `${t.origin}/metadata/endpoints?api-version=2019-05-01`,
        SSL_CERT_FILE: sandbox.caBundle,
      });
      await graphAz.json(['cloud', 'set', '--name', 'Tessera']);
      await graphAz.json(['login', '--username', alice.userPrincipalName, '--password', PASSWORD]);
      const me = await graphAz.json<{ id: string; userPrincipalName: string }>([
        'ad',
        'signed-in-user',
        'show',
      ]);
      assert.equal(me.id, alice.objectId);
      assert.equal(me.userPrincipalName, alice.userPrincipalName);
      // The lookup `--assignee` makes: a service principal by one of its names.
      const found = await graphAz.json<Array<{ appId: string }>>([
        'ad',
        'sp',
        'list',
        '--spn',
        owner.application.appId,
      ]);
      assert.deepEqual(
        found.map((sp) => sp.appId),
        [owner.application.appId],
      );
    });
  });

  it('signs a person in with a device code entered in a browser', async () => {
    browser = await launchBrowser(t);
    const az = freshAz('alice-device');
    const login = az.loginWithDeviceCode();
    let subscriptions: AzSubscription[];
    try {
      const prompt = await login.prompt;
      assert.equal(prompt.verificationUri, `${t.origin}/devicelogin`);
      await approveDeviceCode(browser, prompt, {
        username: alice.userPrincipalName,
        password: PASSWORD,
        application: 'Microsoft Azure CLI',
      });
      subscriptions = (await login.done) as AzSubscription[];
    } finally {
      login.stop();
    }
    assert.deepEqual(
      subscriptions.map((s) => [s.id, s.user.name, s.user.type]),
      [[subscriptionId, alice.userPrincipalName, 'user']],
    );
    const groups = await az.json<{ name: string }[]>(['group', 'list']);
    assert.deepEqual(
      groups.map((g) => g.name),
      ['tessera-rg'],
    );
    const log = await t.server.tessera.signIns.log.list(t.tenant.id, { userId: alice.objectId });
    assert.ok(log.some((entry) => entry.flow === 'device_code' && entry.errorCode === 0));
  });

  it('answers AuthorizationFailed to a service principal whose role was taken away', async () => {
    const auditor = await registerSecretClient(t, { displayName: 'auditor' });
    const reader = await t.server.tessera.roleAssignments.create({
      tenantId: t.tenant.id,
      scope: `/subscriptions/${subscriptionId}`,
      roleDefinition: 'Reader',
      principalId: auditor.servicePrincipal.objectId,
    });
    const az = freshAz('auditor');
    await servicePrincipalLogin(az, auditor);
    await t.server.tessera.roleAssignments.delete(reader.name);
    const stderr = await az.fails(['group', 'list']);
    assert.match(stderr, /\(AuthorizationFailed\)/);
    assert.match(
      stderr,
      new RegExp(
        `with object id '${auditor.servicePrincipal.objectId}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/read' over scope '/subscriptions/${subscriptionId}'`,
      ),
    );
  });

  // Debian's az 2.45 runs on azure-mgmt-authorization 3.0.0, whose operation groups no longer have
  // `.config`: `az role assignment create` and `list` fail with an AttributeError before they send
  // anything. `update` (a GET then a PUT) works; create and list go through `az rest`, sending what
  // `az role assignment create --condition` and `list --assignee --include-groups --include-inherited
  // --scope` send.
  describe('role assignment conditions (az role assignment update, az rest)', () => {
    const OWNER = findRoleDefinition('Owner')?.name ?? '';
    const UAA = findRoleDefinition('User Access Administrator')?.name ?? '';
    const READER = findRoleDefinition('Reader')?.name ?? '';
    /** The escalation guard of Microsoft's delegation examples; GUIDs in both of Azure's spellings. */
    const guard = (action: 'write' | 'delete', guids: string) =>
      `(!(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'})) OR (@${action === 'write' ? 'Request' : 'Resource'}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${guids}})`;
    const condition = (guids: string) => `(${guard('write', guids)}) AND (${guard('delete', guids)})`;
    const firstCondition = condition(OWNER);
    const secondCondition = condition(`${OWNER}, ${UAA.replaceAll('-', '')}`);
    const API = 'api-version=2022-04-01';

    interface ArmAssignment {
      id: string;
      name: string;
      properties: {
        scope: string;
        principalId: string;
        principalType: string;
        roleDefinitionId: string;
        condition: string | null;
        conditionVersion: string | null;
      };
    }
    /** `az role assignment update`'s output: az's flattened model. */
    interface AzAssignment {
      name: string;
      scope: string;
      principalId: string;
      roleDefinitionId: string;
      condition: string | null;
      conditionVersion: string | null;
    }

    let delegate: SecretClient;
    let team: Group;
    let groupScope: string;
    let created: ArmAssignment;

    const put = (scope: string, role: string, principalId: string, extra: object = {}) => [
      'rest',
      '--method',
      'put',
      '--url',
      `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${API}`,
      '--body',
      JSON.stringify({
        properties: { roleDefinitionId: roleId(subscriptionId, role), principalId, ...extra },
      }),
    ];
    /** What `az role assignment list --assignee … --scope … --include-inherited [--include-groups]` does. */
    const listFor = async (principalId: string, includeGroups: boolean) => {
      const filter = `atScope()${includeGroups ? ` and assignedTo('${principalId}')` : ''}`;
      const { value } = await admin.json<{ value: ArmAssignment[] }>([
        'rest',
        '--url',
        `${groupScope}/providers/Microsoft.Authorization/roleAssignments?${API}&$filter=${encodeURIComponent(filter)}`,
      ]);
      // az keeps inherited ones (--include-inherited) and, without --include-groups, the assignee's own.
      return value.filter(
        (a) =>
          groupScope.toLowerCase().startsWith(a.properties.scope.toLowerCase()) &&
          (includeGroups || a.properties.principalId === principalId),
      );
    };

    before(async () => {
      const { tessera } = t.server;
      groupScope = `/subscriptions/${subscriptionId}/resourceGroups/tessera-rg`;
      // The delegate, also in a group that holds Reader on the subscription.
      delegate = await registerSecretClient(t, { displayName: 'delegate' });
      team = await tessera.directory.groups.create(t.tenant.id, {
        displayName: 'team',
        mailNickname: 'team',
      });
      await tessera.directory.groups.addMember(team, delegate.servicePrincipal.objectId);
      await tessera.roleAssignments.create({
        tenantId: t.tenant.id,
        scope: `/subscriptions/${subscriptionId}`,
        roleDefinition: 'Reader',
        principalId: team.objectId,
      });
    });

    it('creates an assignment with a delegation condition, and lists it with its condition', async () => {
      created = await admin.json<ArmAssignment>(
        put(groupScope, 'User Access Administrator', delegate.servicePrincipal.objectId, {
          principalType: 'ServicePrincipal',
          condition: firstCondition,
          conditionVersion: '2.0',
        }),
      );
      assert.equal(created.properties.condition, firstCondition);
      assert.equal(created.properties.conditionVersion, '2.0');
      assert.equal((await t.server.tessera.roleAssignments.find(created.name))?.condition, firstCondition);

      const own = await listFor(delegate.servicePrincipal.objectId, false);
      assert.deepEqual(
        own.map((a) => [a.name, a.properties.condition, a.properties.conditionVersion]),
        [[created.name, firstCondition, '2.0']],
      );
      // With the delegate's groups: the team's Reader, inherited from the subscription, has none.
      const byPrincipal = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
      const withGroups = await listFor(delegate.servicePrincipal.objectId, true);
      assert.deepEqual(
        withGroups
          .map((a) => [
            a.properties.principalId,
            a.properties.roleDefinitionId.split('/').at(-1),
            a.properties.condition,
            a.properties.conditionVersion,
          ])
          .sort(byPrincipal),
        [
          [delegate.servicePrincipal.objectId, UAA, firstCondition, '2.0'],
          [team.objectId, READER, null, null],
        ].sort(byPrincipal),
      );
    });

    it('holds the delegate to the condition: Reader assigned, Owner refused with the ABAC wording', async () => {
      const az = freshAz('delegate');
      await servicePrincipalLogin(az, delegate);
      const reader = await az.json<ArmAssignment>(put(groupScope, 'Reader', alice.objectId));
      assert.equal(reader.properties.roleDefinitionId, roleId(subscriptionId, 'Reader'));
      const stderr = await az.fails(put(groupScope, 'Owner', alice.objectId));
      assert.match(stderr, /Forbidden\(.*"code":"AuthorizationFailed"/);
      assert.match(
        stderr,
        new RegExp(
          `object id '${delegate.servicePrincipal.objectId}' does not have authorization or an ABAC condition not fulfilled to perform action 'Microsoft.Authorization/roleAssignments/write'`,
        ),
      );
      const atGroup = await t.server.tessera.roleAssignments.list({ scope: groupScope });
      assert.ok(!atGroup.some((a) => a.principalId === alice.objectId && a.roleDefinitionId === OWNER));
    });

    it('changes the condition with az role assignment update --role-assignment @file', async () => {
      // The file az's documentation edits: an assignment as `az role assignment list` prints it.
      const file = join(sandbox.folder('update'), 'assignment.json');
      writeFileSync(
        file,
        JSON.stringify({
          id: created.id,
          name: created.name,
          ...created.properties,
          condition: secondCondition,
        }),
      );
      const updated = await admin.json<AzAssignment>([
        'role',
        'assignment',
        'update',
        '--role-assignment',
        `@${file}`,
      ]);
      assert.equal(updated.name, created.name);
      assert.equal(updated.condition, secondCondition);
      assert.equal(updated.conditionVersion, '2.0');
      const listed = await listFor(delegate.servicePrincipal.objectId, true);
      assert.deepEqual(
        listed
          .filter((a) => a.name === created.name)
          .map((a) => [a.properties.condition, a.properties.conditionVersion]),
        [[secondCondition, '2.0']],
      );
      assert.equal((await t.server.tessera.roleAssignments.find(created.name))?.condition, secondCondition);
    });

    it('shows the InvalidRoleAssignmentCondition refusal of a condition on App Configuration', async () => {
      const appConfig = `(!(ActionMatches{'Microsoft.AppConfiguration/configurationStores/keyValues/read'})) OR (@Resource[Microsoft.AppConfiguration/configurationStores/keyValues:key] StringStartsWith 'public/')`;
      const reader = await t.server.tessera.roleAssignments.create({
        tenantId: t.tenant.id,
        scope: groupScope,
        roleDefinition: 'App Configuration Data Reader',
        principalId: delegate.servicePrincipal.objectId,
      });
      // Through az's own command, which prints ARM's error as the SDK reads it …
      const file = join(sandbox.folder('update'), 'app-configuration.json');
      const { id, name, scope, principalId, principalType } = reader;
      writeFileSync(
        file,
        JSON.stringify({
          id,
          name,
          scope,
          principalId,
          principalType,
          roleDefinitionId: roleId(subscriptionId, 'App Configuration Data Reader'),
          condition: appConfig,
          conditionVersion: '2.0',
        }),
      );
      const updating = await admin.fails(['role', 'assignment', 'update', '--role-assignment', `@${file}`]);
      assert.match(
        updating,
        /\(InvalidRoleAssignmentCondition\) The given role assignment condition is invalid\./,
      );
      assert.equal((await t.server.tessera.roleAssignments.find(name))?.condition, null);
      // … and as a new assignment through az rest.
      const before = await t.server.tessera.roleAssignments.list({ scope: groupScope });
      const creating = await admin.fails(
        put(groupScope, 'App Configuration Data Reader', alice.objectId, { condition: appConfig }),
      );
      assert.match(
        creating,
        /Bad Request\(.*"code":"InvalidRoleAssignmentCondition","message":"The given role assignment condition is invalid\./,
      );
      assert.equal(
        (await t.server.tessera.roleAssignments.list({ scope: groupScope })).length,
        before.length,
      );
    });
  });
});
