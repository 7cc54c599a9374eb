import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Permission } from '../../src/access/permissions.js';
import { builtInRoleDefinitions } from '../../src/access/roleDefinitions.js';
import { startTestServer, storeArgs } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import type { AccessDecision } from '../../src/access/accessIndex.js';
import type { Group } from '../../src/directory/groups.js';
import type { CheckAccessEntry } from '../../src/management/resources/checkAccessDecision.js';
import { runCli } from '../cli/support.js';
import { arm, armFixture, mintToken, principalWithRole } from './support.js';
import type { ArmFixture, ArmResponse } from './support.js';
import { any } from './actionOracle.js';

/**
 * The permissions and check-access APIs against the engine: for 1,000 random (principal, action,
 * scope) triples over a random world of built-in roles, custom roles with wildcards and NotActions,
 * nested groups and deny assignments, the caller's permissions as the API lists them, evaluated by
 * Azure's wildcard rules (written here again, independently of src/access), allow exactly what the
 * engine allows, except where a deny assignment refuses (the API does not subtract deny
 * assignments, as Azure); checkAccess and `tessera role check` give the engine's decision with its
 * reason and ids.
 * TESSERA_TEST_SEED replays a failing world.
 */

const SEED = Number(process.env.TESSERA_TEST_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(items.length)];
    if (item === undefined) throw new Error('empty choice');
    return item;
  };
  return { next, int, pick };
}

/**
 * One listed permission, as a client would read it. A conditional block (ABAC, not evaluated by
 * Tessera yet) grants only what its `ActionMatches{…}` clauses do not name.
 */
function grants(entry: Permission, action: string, kind: 'action' | 'dataAction'): boolean {
  const granted =
    kind === 'action'
      ? any(entry.actions, action) && !any(entry.notActions, action)
      : any(entry.dataActions, action) && !any(entry.notDataActions, action);
  if (!granted || entry.condition === undefined) return granted;
  const named = [...entry.condition.matchAll(/ActionMatches\{'([^']+)'\}/g)].map((m) => m[1] ?? '');
  return !any(named, action);
}

const CHECK_ACCESS = '/providers/Microsoft.Authorization/checkAccess?api-version=2021-06-01-preview';

const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const WRITE = 'Microsoft.Authorization/roleAssignments/write';
const DELETE = 'Microsoft.Authorization/roleAssignments/delete';
const ROLE_DEFINITION_ID = 'Microsoft.Authorization/roleAssignments:RoleDefinitionId';
/** An Owner who may assign and remove any role but Owner (Microsoft's delegation example). */
const GUARDED_OWNER = `((!(ActionMatches{'${WRITE}'})) OR (@Request[${ROLE_DEFINITION_ID}] ForAnyOfAnyValues:GuidNotEquals {${OWNER}})) AND ((!(ActionMatches{'${DELETE}'})) OR (@Resource[${ROLE_DEFINITION_ID}] ForAnyOfAnyValues:GuidNotEquals {${OWNER}}))`;

interface Triple {
  principal: string;
  scope: string;
  kind: 'action' | 'dataAction';
  action: string;
}

/** What a check-access entry says, in terms the engine's decision can be compared with. */
const outcomeOf = (entry: CheckAccessEntry) => ({
  accessDecision: entry.accessDecision,
  reason: entry.reason,
  roleAssignment: entry.roleAssignment && {
    id: entry.roleAssignment.id,
    principalId: entry.roleAssignment.principalId,
    scope: entry.roleAssignment.scope,
    roleDefinitionGuid: entry.roleAssignment.roleDefinitionId.split('/').at(-1),
    roleDefinitionName: entry.roleAssignment.roleDefinitionName,
  },
  denyAssignment: entry.denyAssignment,
});

/** The entry the engine's decision calls for, written from the PDP's shape, not from src/management. */
function expectedOutcome(decision: AccessDecision): ReturnType<typeof outcomeOf> {
  const granting =
    'roleAssignment' in decision
      ? {
          id: `${decision.roleAssignment.scope}/providers/Microsoft.Authorization/roleAssignments/${decision.roleAssignment.name}`,
          principalId: decision.roleAssignment.principalId,
          scope: decision.roleAssignment.scope,
          roleDefinitionGuid: decision.roleAssignment.roleDefinitionId,
          roleDefinitionName: decision.roleName,
        }
      : undefined;
  if (decision.allowed) {
    return {
      accessDecision: 'Allowed',
      reason: 'RoleAssignment',
      roleAssignment: granting,
      denyAssignment: undefined,
    };
  }
  if (decision.reason === 'DenyAssignment') {
    const deny = decision.denyAssignment;
    return {
      accessDecision: 'Denied',
      reason: 'DenyAssignment',
      roleAssignment: undefined,
      denyAssignment: {
        id: `${deny.scope}/providers/Microsoft.Authorization/denyAssignments/${deny.name}`,
        name: deny.denyAssignmentName,
        scope: deny.scope,
      },
    };
  }
  return {
    accessDecision: 'NotAllowed',
    reason: decision.reason,
    roleAssignment: granting,
    denyAssignment: undefined,
  };
}

/** Concrete actions from a pattern: each star replaced by a word, a path, or nothing. */
function instances(pattern: string, rng: ReturnType<typeof generator>): string[] {
  const fillers = ['', 'x', 'write', 'read', 'delete', 'things/read', 'a/b/action', 'blobs'];
  return Array.from({ length: 3 }, () => pattern.replace(/\*/g, () => rng.pick(fillers)));
}

describe('the permissions API agrees with the engine on 1,000 random triples', () => {
  let t: TestServer;
  let f: ArmFixture;

  before(async () => {
    t = await startTestServer();
    f = armFixture(t);
  });
  after(async () => t.stop());

  it(`agrees (seed ${SEED})`, async (context) => {
    const rng = generator(SEED);
    const { tessera } = t.server;
    const tenantId = t.tenant.id;
    const sub = f.subscriptionScope;

    // Scopes: the subscription, three groups, and resources in each (resources need not exist).
    const groups = [f.resourceGroup.name, 'rg-a', 'rg-b'];
    for (const name of groups.slice(1)) {
      await tessera.resourceGroups.createOrUpdate({
        subscriptionId: f.subscription.subscriptionId,
        name,
        location: 'westus',
      });
    }
    const scopes = [sub];
    for (const g of groups) {
      scopes.push(`${sub}/resourceGroups/${g}`);
      scopes.push(`${sub}/resourceGroups/${g}/providers/Microsoft.Storage/storageAccounts/sa${g}`);
      scopes.push(`${sub}/resourceGroups/${g}/providers/Microsoft.Compute/virtualMachines/vm${g}`);
    }

    // Principals, and groups nested only downwards (group i may sit in a group j > i).
    const principals: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { servicePrincipal } = await tessera.directory.registerApplication(t.tenant, {
        displayName: `p${i}`,
      });
      principals.push(servicePrincipal.objectId);
    }
    const groupObjects = [];
    for (let i = 0; i < 5; i++) {
      groupObjects.push(
        await tessera.directory.groups.create(tenantId, { displayName: `g${i}`, mailNickname: `g${i}` }),
      );
    }
    // Member → the groups it was added to, for the guarded Owners' oracle below.
    const memberOf = new Map<string, string[]>();
    const addMember = async (group: Group, member: string) => {
      await tessera.directory.groups.addMember(group, member);
      memberOf.set(member, [...(memberOf.get(member) ?? []), group.objectId]);
    };
    for (const p of principals) {
      for (const g of groupObjects) if (rng.next() < 0.3) await addMember(g, p);
    }
    for (let i = 0; i < groupObjects.length; i++) {
      for (let j = i + 1; j < groupObjects.length; j++) {
        const member = groupObjects[i];
        const parent = groupObjects[j];
        if (member && parent && rng.next() < 0.3) await addMember(parent, member.objectId);
      }
    }

    // Custom roles with wildcards, NotActions and data actions.
    const customPermissions: Permission[][] = [
      [
        {
          actions: ['Microsoft.Storage/*'],
          notActions: ['Microsoft.Storage/storageAccounts/delete'],
          dataActions: [],
          notDataActions: [],
        },
      ],
      [
        {
          actions: ['*/read', 'Microsoft.Compute/virtualMachines/*'],
          notActions: ['*/delete', 'Microsoft.Compute/virtualMachines/write'],
          dataActions: [],
          notDataActions: [],
        },
      ],
      [
        {
          actions: ['Microsoft.Storage/storageAccounts/*/write'],
          notActions: [],
          dataActions: ['Microsoft.Storage/storageAccounts/blobServices/*'],
          notDataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'],
        },
      ],
      [
        {
          actions: ['Microsoft.Authorization/*'],
          notActions: ['Microsoft.Authorization/*/Delete'],
          dataActions: [],
          notDataActions: [],
        },
        {
          actions: ['Microsoft.Compute/*/action'],
          notActions: [],
          dataActions: ['*'],
          notDataActions: ['Microsoft.Storage/*/read'],
        },
      ],
    ];
    const roleIds: string[] = [];
    const rolePermissions: Permission[][] = [];
    for (const [i, permissions] of customPermissions.entries()) {
      const { definition } = await tessera.roleDefinitions.createOrUpdate(tenantId, {
        name: randomUUID(),
        roleName: `Random Custom ${i}`,
        permissions,
        assignableScopes: [sub],
      });
      roleIds.push(definition.name);
      rolePermissions.push(permissions);
    }
    const named = [
      'Owner',
      'Contributor',
      'Reader',
      'Key Vault Data Access Administrator',
      'Storage Blob Data Owner',
    ];
    const sample = [
      ...builtInRoleDefinitions.filter((r) => named.includes(r.roleName)),
      ...Array.from({ length: 15 }, () =>
        rng.pick(builtInRoleDefinitions.filter((r) => r.assignableScopes.includes('/'))),
      ),
    ];
    for (const role of sample) {
      roleIds.push(role.name);
      rolePermissions.push([...role.permissions]);
    }

    // Assignments to principals and groups at every level.
    const holders = [...principals, ...groupObjects.map((g) => g.objectId)];
    for (let i = 0; i < 90; i++) {
      const role = rng.int(roleIds.length);
      try {
        await tessera.roleAssignments.create({
          tenantId,
          scope: rng.pick(scopes),
          roleDefinition: roleIds[role] ?? '',
          principalId: rng.pick(holders),
        });
      } catch (error) {
        if (!(error instanceof Error) || !/already exists/.test(error.message)) throw error;
      }
    }
    for (let i = 0; i < 3; i++) {
      await tessera.denyAssignments.create({
        tenantId,
        scope: rng.pick(scopes.slice(0, 4)),
        denyAssignmentName: `deny ${i}`,
        permissions: [
          {
            actions: [rng.pick(['*/write', 'Microsoft.Storage/*', '*'])],
            notActions: [],
            dataActions: [],
            notDataActions: [],
          },
        ],
        principals: [{ id: rng.pick(holders), type: 'ServicePrincipal' }],
        doNotApplyToChildScopes: rng.next() < 0.3,
      });
    }

    // Guarded Owners: Owner with Microsoft's escalation guard, to three principals and one group.
    const guarded: Array<{ holder: string; scope: string }> = [];
    const guardHolders = [...new Set([rng.pick(principals), rng.pick(principals), rng.pick(principals)])];
    for (const [i, holder] of [...guardHolders, rng.pick(groupObjects).objectId].entries()) {
      // The first at the subscription, so that every world has scopes where only the guard decides.
      const scope = i === 0 ? sub : rng.pick(scopes.slice(0, 4));
      try {
        await tessera.roleAssignments.create({
          tenantId,
          scope,
          roleDefinition: 'Owner',
          principalId: holder,
          condition: GUARDED_OWNER,
        });
        guarded.push({ holder, scope });
      } catch (error) {
        if (!(error instanceof Error) || !/already exists/.test(error.message)) throw error;
      }
    }
    // One principal whose only grant is the guarded Owner at the subscription: the others may also
    // hold unconditional grants wherever they are guarded, and every world needs places where the
    // guard alone decides.
    const { servicePrincipal: guardedOnly } = await tessera.directory.registerApplication(t.tenant, {
      displayName: 'guarded-only',
    });
    await tessera.roleAssignments.create({
      tenantId,
      scope: sub,
      roleDefinition: 'Owner',
      principalId: guardedOnly.objectId,
      condition: GUARDED_OWNER,
    });
    guarded.push({ holder: guardedOnly.objectId, scope: sub });

    // Actions: instances of every pattern the roles name, and some that none names.
    const actions = new Set<string>(['Microsoft.Web/sites/write', 'Contoso.Widgets/widgets/read']);
    const dataActions = new Set<string>([
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
    ]);
    for (const permissions of rolePermissions) {
      for (const p of permissions) {
        for (const pattern of [...p.actions, ...p.notActions].slice(0, 6))
          for (const a of instances(pattern, rng)) actions.add(a);
        for (const pattern of [...p.dataActions, ...p.notDataActions].slice(0, 6))
          for (const a of instances(pattern, rng)) dataActions.add(a);
      }
    }
    actions.add(WRITE);
    actions.add(DELETE);

    const answers = new Map<string, Permission[]>();
    const listed = async (principal: string, scope: string): Promise<Permission[]> => {
      const key = `${principal} ${scope}`;
      let value = answers.get(key);
      if (!value) {
        const token = await mintToken(t, { oid: principal });
        const response = await arm<{ value: Permission[]; nextLink?: string }>(
          t,
          'GET',
          `${scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`,
          { token },
        );
        assert.equal(response.status, 200, response.text);
        assert.equal(response.json.nextLink, undefined);
        value = response.json.value;
        answers.set(key, value);
      }
      return value;
    };

    const tally = { allowed: 0, refused: 0, denied: 0 };
    const actionList = [...actions];
    const dataActionList = [...dataActions];
    const triples: Triple[] = [];
    for (let i = 0; i < 1000; i++) {
      const principal = rng.pick(principals);
      const scope = rng.pick(scopes);
      const kind = rng.next() < 0.75 ? 'action' : 'dataAction';
      const action = rng.pick(kind === 'action' ? actionList : dataActionList);
      triples.push({ principal, scope, kind, action });
    }
    for (const [i, { principal, scope, kind, action }] of triples.entries()) {
      const entries = await listed(principal, scope);
      const listedAllows = entries.some((e) => grants(e, action, kind));
      const decision = await tessera.access.evaluate(principal, action, scope, kind);
      const triple = `#${i} ${principal} ${kind} ${action} at ${scope} (seed ${SEED})`;
      if (decision.allowed) {
        tally.allowed++;
        assert.equal(listedAllows, true, `engine allows, permissions do not: ${triple}`);
      } else if (decision.reason === 'NoRoleAssignment') {
        tally.refused++;
        assert.equal(listedAllows, false, `permissions allow, engine has no assignment: ${triple}`);
      } else {
        tally.denied++;
      }
    }
    context.diagnostic(`${JSON.stringify(tally)}, ${answers.size} permission lists`);
    // The world must exercise both answers, or the agreement says little.
    assert.ok(tally.allowed > 50, JSON.stringify(tally));
    assert.ok(tally.refused > 50, JSON.stringify(tally));

    // checkAccess decides every triple as the engine does, reasons and ids included: the principal
    // asks about itself for half the (principal, scope) pairs, an Owner of the subscription for the rest.
    const { token: adminToken } = await principalWithRole(t, {
      displayName: 'check-access admin',
      role: 'Owner',
      scope: sub,
    });
    // Some instances are no operation at all ('', '/read', 'Microsoft.Storage/'): the API refuses
    // those (one 400 each, checked below), so they take no part in the agreement.
    const operation = /^[^/\s]+(\/[^/\s]+)+$/;
    const malformed = triples.filter((triple) => !operation.test(triple.action));
    const byPair = new Map<string, Array<{ triple: Triple; index: number }>>();
    for (const [index, triple] of triples.entries()) {
      if (!operation.test(triple.action)) continue;
      const key = `${triple.principal} ${triple.scope}`;
      byPair.set(key, [...(byPair.get(key) ?? []), { triple, index }]);
    }
    const checked = new Map<number, CheckAccessEntry>();
    const reasons: Record<string, number> = {};
    let calls = 0;
    for (const [pair, members] of byPair) {
      const first = members[0]?.triple;
      if (!first) continue;
      const token = calls % 2 === 0 ? await mintToken(t, { oid: first.principal }) : adminToken;
      for (let start = 0; start < members.length; start += 100) {
        const batch = members.slice(start, start + 100);
        calls++;
        const response: ArmResponse<{ value: CheckAccessEntry[] }> = await arm(t, 'POST', CHECK_ACCESS, {
          token,
          body: {
            Subject: { Attributes: { ObjectId: first.principal } },
            Actions: batch.map(({ triple }) => ({
              Id: triple.action,
              IsDataAction: triple.kind === 'dataAction',
            })),
            Resource: { Id: first.scope },
          },
        });
        assert.equal(response.status, 200, `${pair}: ${response.text}`);
        assert.equal(response.json.value.length, batch.length);
        for (const [n, { triple, index }] of batch.entries()) {
          const entry = response.json.value[n];
          assert.ok(entry);
          const what = `#${index} ${triple.principal} ${triple.kind} ${triple.action} at ${triple.scope} (seed ${SEED})`;
          assert.equal(entry.actionId, triple.action, what);
          assert.equal(entry.isDataAction, triple.kind === 'dataAction', what);
          const decision = await tessera.access.evaluate(
            triple.principal,
            triple.action,
            triple.scope,
            triple.kind,
          );
          assert.deepEqual(outcomeOf(entry), expectedOutcome(decision), what);
          reasons[entry.reason] = (reasons[entry.reason] ?? 0) + 1;
          checked.set(index, entry);
        }
      }
    }
    assert.equal(checked.size, triples.length - malformed.length);
    assert.ok(checked.size > 700, `${malformed.length} of the triples name no operation`);
    context.diagnostic(
      `checkAccess: ${calls} calls, ${JSON.stringify(reasons)}, ${malformed.length} refused`,
    );
    for (const { principal, scope, action } of new Map(malformed.map((m) => [m.action, m])).values()) {
      const refused = await arm(t, 'POST', CHECK_ACCESS, {
        token: adminToken,
        body: {
          Subject: { Attributes: { ObjectId: principal } },
          Actions: [{ Id: action }],
          Resource: { Id: scope },
        },
      });
      assert.equal(refused.status, 400, `'${action}': ${refused.text}`);
      assert.match(refused.text, /InvalidCheckAccessRequest/);
    }

    // Guarded Owners: for every principal a guarded Owner reaches (itself or through its groups) and
    // every scope, checkAccess with the role being assigned or removed given as attributes decides
    // as the engine does with them; without attributes it says they are required. Independently of
    // the engine: where the guard applies and no unconditional grant or deny decides first, Owner
    // is ConditionNotMet and Reader Allowed.
    const groupsOf = (principal: string): Set<string> => {
      const seen = new Set<string>([principal]);
      const queue = [principal];
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        for (const group of memberOf.get(id) ?? []) {
          if (seen.has(group)) continue;
          seen.add(group);
          queue.push(group);
        }
      }
      return seen;
    };
    const within = (scope: string, ancestor: string) =>
      scope.toLowerCase() === ancestor.toLowerCase() ||
      scope.toLowerCase().startsWith(`${ancestor.toLowerCase()}/`);
    const guardTally: Record<string, number> = {};
    let guardCalls = 0;
    for (const principal of [...principals, guardedOnly.objectId]) {
      const identities = groupsOf(principal);
      const guards = guarded.filter((g) => identities.has(g.holder));
      if (guards.length === 0) continue;
      const ownToken = await mintToken(t, { oid: principal });
      // Half the scopes, at random, to keep the run short; every scope for the guard-only principal.
      const sampledScopes =
        principal === guardedOnly.objectId ? scopes : scopes.filter(() => rng.next() < 0.5);
      for (const scope of sampledScopes) {
        const applies = guards.some((g) => within(scope, g.scope));
        const decisions: Record<string, Record<string, CheckAccessEntry>> = {};
        for (const given of [undefined, OWNER, READER]) {
          const request = given === undefined ? undefined : { [ROLE_DEFINITION_ID]: given };
          const asked = [
            { Id: WRITE, ...(request ? { Attributes: request } : {}) },
            { Id: DELETE },
            { Id: 'Microsoft.Compute/virtualMachines/read' },
          ];
          guardCalls++;
          const response: ArmResponse<{ value: CheckAccessEntry[] }> = await arm(t, 'POST', CHECK_ACCESS, {
            token: guardCalls % 2 === 0 ? ownToken : adminToken,
            body: {
              Subject: { Attributes: { ObjectId: principal } },
              Actions: asked,
              Resource: { Id: scope, ...(request ? { Attributes: request } : {}) },
            },
          });
          const label = `${given === OWNER ? 'Owner' : given === READER ? 'Reader' : 'no attributes'}`;
          assert.equal(response.status, 200, `${principal} at ${scope}, ${label}: ${response.text}`);
          decisions[label] = {};
          for (const [n, action] of asked.entries()) {
            const entry = response.json.value[n];
            assert.ok(entry);
            const what = `guarded ${principal} ${action.Id} at ${scope}, ${label} (seed ${SEED})`;
            // Any attribute given means "these are all there are", for every action of the request.
            const attributes = request && {
              request: 'Attributes' in action ? request : {},
              resource: request,
            };
            const decision = await tessera.access.evaluate(principal, action.Id, scope, 'action', attributes);
            assert.deepEqual(outcomeOf(entry), expectedOutcome(decision), what);
            decisions[label][action.Id] = entry;
            guardTally[`${label}: ${entry.reason}`] = (guardTally[`${label}: ${entry.reason}`] ?? 0) + 1;
          }
        }
        for (const action of [WRITE, DELETE]) {
          const [none, owner, reader] = ['no attributes', 'Owner', 'Reader'].map(
            (l) => decisions[l]?.[action],
          );
          const what = `guarded ${principal} ${action} at ${scope} (seed ${SEED})`;
          if (none?.reason === 'RoleAssignment' || none?.reason === 'DenyAssignment') {
            // An unconditional grant or a deny decides before any condition.
            assert.equal(owner?.reason, none.reason, what);
            assert.equal(reader?.reason, none.reason, what);
          } else if (applies) {
            assert.equal(none?.reason, 'AttributesRequired', what);
            assert.equal(owner?.reason, 'ConditionNotMet', what);
            assert.equal(reader?.reason, 'RoleAssignment', what);
            assert.equal(reader?.accessDecision, 'Allowed', what);
          }
        }
      }
    }
    context.diagnostic(`guarded Owners: ${guardCalls} calls, ${JSON.stringify(guardTally)}`);
    for (const expected of [
      'no attributes: AttributesRequired',
      'Owner: ConditionNotMet',
      'Reader: RoleAssignment',
    ])
      assert.ok((guardTally[expected] ?? 0) > 0, `${expected} never seen (seed ${SEED})`);

    // `tessera role check` prints the API's entry for 20 of them (in-process, on the server's store).
    const sampled = [...checked.keys()];
    for (let k = 0; k < 20; k++) {
      const index = sampled[Math.floor((k * sampled.length) / 20)] ?? 0;
      const triple = triples[index];
      if (!triple) continue;
      const args = ['role', 'check', '--assignee', triple.principal, '--action', triple.action];
      args.push('--scope', triple.scope, ...(triple.kind === 'dataAction' ? ['--data-action'] : []));
      const result = await runCli([...args, ...storeArgs(t)]);
      assert.equal(result.code, 0, `tessera ${args.join(' ')}: ${result.stderr}`);
      assert.deepEqual(JSON.parse(result.stdout), checked.get(index), `#${index} (seed ${SEED})`);
    }
  });
});
