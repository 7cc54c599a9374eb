import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { AccessIndex } from '../../src/access/accessIndex.js';
import { loadAccessIndex } from '../../src/access/indexRows.js';
import type { Group } from '../../src/directory/groups.js';
import type { Tenant } from '../../src/directory/model.js';
import type { Subscription } from '../../src/management/subscriptions.js';
import { openStore } from '../../src/store/database.js';
import { Tessera } from '../../src/tessera.js';
import { storeEngines, testStoreLocation } from '../support/database.js';
import type { TestStoreLocation } from '../support/database.js';

const run = promisify(execFile);
const READ = 'Microsoft.Resources/subscriptions/resourceGroups/read';
const WRITE = 'Microsoft.Resources/subscriptions/resourceGroups/write';

for (const { engine, skip } of storeEngines())
  describe(`the access index, kept current from the journal (${engine})`, { skip }, () => {
    let location: TestStoreLocation;
    let dataDir: string;
    const store = () => ({ dataDir, databaseUrl: location.databaseUrl });
    let tessera: Tessera;
    let other: Tessera;
    let tenant: Tenant;
    let subscription: Subscription;
    let seq = 0;

    before(async () => {
      location = await testStoreLocation(engine);
      dataDir = location.dataDir;
      tessera = await Tessera.open(store());
      const bootstrap = await tessera.bootstrap();
      assert.ok(bootstrap);
      ({ tenant, subscription } = bootstrap);
      // A second handle on the same file is another process as far as the engine can tell.
      other = await Tessera.open(store());
    });
    after(async () => {
      await other.close();
      await tessera.close();
      await location.dispose();
    });

    const subScope = () => `/subscriptions/${subscription.subscriptionId}`;
    const newGroup = (name = `g${seq++}`): Promise<Group> =>
      tessera.directory.groups.create(tenant.id, { displayName: name, mailNickname: name });
    const allowed = async (principal: string, action: string, scope = subScope(), maxAgeMs?: number) =>
      (await tessera.access.current(maxAgeMs)).evaluate(principal, action, scope, 'action').allowed;

    it('sees this process’s assignment changes at once, without reloading', async () => {
      const principal = await newGroup();
      const before = await tessera.access.current();
      assert.equal(await allowed(principal.objectId, READ), false);
      const assignment = await tessera.roleAssignments.create({
        tenantId: tenant.id,
        scope: subScope(),
        roleDefinition: 'Reader',
        principalId: principal.objectId,
      });
      assert.equal(await allowed(principal.objectId, READ), true);
      assert.equal(await allowed(principal.objectId, WRITE), false);
      await tessera.roleAssignments.delete(assignment.name);
      assert.equal(await allowed(principal.objectId, READ), false);
      assert.equal(await tessera.access.current(), before, 'the same index, updated in place');
    });

    it('follows memberships, nesting and the deletion of a group', async () => {
      const [member, inner, outer] = [await newGroup(), await newGroup(), await newGroup()];
      await tessera.roleAssignments.create({
        tenantId: tenant.id,
        scope: subScope(),
        roleDefinition: 'Contributor',
        principalId: outer.objectId,
      });
      await tessera.directory.groups.addMember(inner, member.objectId);
      assert.equal(await allowed(member.objectId, WRITE), false);
      await tessera.directory.groups.addMember(outer, inner.objectId);
      assert.equal(await allowed(member.objectId, WRITE), true, 'through two levels of nesting');
      await tessera.directory.groups.removeMember(inner, member.objectId);
      assert.equal(await allowed(member.objectId, WRITE), false);
      await tessera.directory.groups.addMember(inner, member.objectId);
      assert.equal(await allowed(member.objectId, WRITE), true);
      // The group's rows go by cascade, not by a statement naming them: the triggers still see it.
      await tessera.directory.groups.delete(inner);
      assert.equal(await allowed(member.objectId, WRITE), false);
    });

    it('replays custom role changes and deny assignments', async () => {
      const principal = await newGroup();
      const roleName = '1f0a3c0e-4c1d-4a47-9a47-0c5b7a0d9e11';
      await tessera.roleDefinitions.createOrUpdate(tenant.id, {
        name: roleName,
        roleName: 'Group reader',
        permissions: [{ actions: [READ], notActions: [], dataActions: [], notDataActions: [] }],
        assignableScopes: [subScope()],
      });
      await tessera.roleAssignments.create({
        tenantId: tenant.id,
        scope: subScope(),
        roleDefinition: roleName,
        principalId: principal.objectId,
      });
      assert.equal(await allowed(principal.objectId, READ), true);
      assert.equal(await allowed(principal.objectId, WRITE), false);
      await tessera.roleDefinitions.createOrUpdate(tenant.id, {
        name: roleName,
        roleName: 'Group reader',
        permissions: [{ actions: [READ, WRITE], notActions: [], dataActions: [], notDataActions: [] }],
        assignableScopes: [subScope()],
      });
      assert.equal(await allowed(principal.objectId, WRITE), true, 'the role’s new permissions');
      const deny = await tessera.denyAssignments.create({
        tenantId: tenant.id,
        scope: subScope(),
        denyAssignmentName: 'no writes',
        permissions: [{ actions: [WRITE], notActions: [], dataActions: [], notDataActions: [] }],
        principals: [{ id: principal.objectId, type: 'Group' }],
      });
      assert.equal(await allowed(principal.objectId, WRITE), false);
      await tessera.denyAssignments.delete(tenant.id, deny.name);
      assert.equal(await allowed(principal.objectId, WRITE), true);
    });

    it('drops the assignments of a deleted resource group', async () => {
      const principal = await newGroup();
      const rg = await tessera.subscriptions.createResourceGroup({
        subscriptionId: subscription.subscriptionId,
        name: 'doomed',
        location: 'westus',
      });
      const scope = `${subScope()}/resourceGroups/${rg.name}`;
      await tessera.roleAssignments.create({
        tenantId: tenant.id,
        scope,
        roleDefinition: 'Reader',
        principalId: principal.objectId,
      });
      assert.equal(await allowed(principal.objectId, READ, scope), true);
      await tessera.resourceGroups.delete(subscription.subscriptionId, rg.name);
      assert.equal((await tessera.access.current()).assignmentsOf(principal.objectId).length, 0);
    });

    it('sees another process’s change on the next look, incrementally', async () => {
      const principal = await newGroup();
      const index = await tessera.access.current();
      await other.roleAssignments.create({
        tenantId: tenant.id,
        scope: subScope(),
        roleDefinition: 'Reader',
        principalId: principal.objectId,
      });
      assert.equal(await allowed(principal.objectId, READ, subScope(), 0), true);
      assert.equal(await tessera.access.current(), index);
    });

    it('reloads when another process made more changes than are worth replaying', async () => {
      const hub = await newGroup();
      const members = await Promise.all(Array.from({ length: 30 }, () => newGroup()));
      for (const m of members) await tessera.directory.groups.addMember(hub, m.objectId);
      const index = await tessera.access.current(0);
      const db = await openStore(store());
      try {
        // 30 rows × 2 entries × 40 rounds: past what the engine replays row by row.
        for (let round = 0; round < 40; round++) {
          await db
            .updateTable('group_members')
            .set({ member_type: 'Group' })
            .where('group_id', '=', hub.objectId)
            .execute();
        }
        const [first] = members;
        assert.ok(first);
        await db.deleteFrom('group_members').where('member_id', '=', first.objectId).execute();
        const reloaded = await tessera.access.current(0);
        assert.notEqual(reloaded, index, 'a fresh index');
        assert.deepEqual(reloaded.identitiesOf(first.objectId), [first.objectId.toLowerCase()]);
        assertSameIndex(
          reloaded,
          await loadAccessIndex(db),
          members.map((m) => m.objectId),
        );
      } finally {
        await db.destroy();
      }
    });

    it('ends equal to a fresh load after concurrent writes from two processes', async () => {
      const mine = await Promise.all(Array.from({ length: 24 }, () => newGroup()));
      const theirs = await Promise.all(Array.from({ length: 24 }, () => newGroup()));
      await tessera.access.current();
      const child = run(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, '../support/accessWriter.ts'),
          JSON.stringify(store()),
          tenant.id,
          subScope(),
          ...theirs.map((g) => g.objectId),
        ],
        { cwd: join(import.meta.dirname, '../..') },
      );
      for (const [i, principal] of mine.entries()) {
        const assignment = await tessera.roleAssignments.create({
          tenantId: tenant.id,
          scope: subScope(),
          roleDefinition: i % 2 === 0 ? 'Reader' : 'Contributor',
          principalId: principal.objectId,
        });
        if (i % 3 === 2) await tessera.roleAssignments.delete(assignment.name);
        // Checks interleave with both writers, so replays happen mid-stream.
        await allowed(principal.objectId, READ, subScope(), 0);
      }
      const kept = JSON.parse((await child).stdout) as string[];
      assert.equal(kept.length, 16);
      const current = await tessera.access.current(0);
      const db = await openStore(store());
      try {
        assertSameIndex(
          current,
          await loadAccessIndex(db),
          [...mine, ...theirs].map((g) => g.objectId),
        );
      } finally {
        await db.destroy();
      }
      for (const [i, g] of theirs.entries()) {
        assert.equal(
          current.evaluate(g.objectId, READ, subScope(), 'action').allowed,
          i % 3 !== 2,
          `theirs ${i}`,
        );
      }
    });
  });

function assertSameIndex(actual: AccessIndex, expected: AccessIndex, principals: readonly string[]) {
  for (const p of principals) {
    const names = (index: AccessIndex) =>
      index
        .assignmentsOf(p)
        .map((a) => a.name)
        .sort();
    assert.deepEqual(names(actual), names(expected), `assignments of ${p}`);
    assert.deepEqual(
      [...actual.identitiesOf(p)].sort(),
      [...expected.identitiesOf(p)].sort(),
      `groups of ${p}`,
    );
  }
}
