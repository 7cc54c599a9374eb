/**
 * The access engine on a real store: 100,000 role assignments in SQLite, then role-assignment
 * writes through the store API, each followed by the check that must see it. Reports how long
 * after a write's commit its first check answers with the new decision (target ≤ 1 ms), and what
 * reloading everything costs, which is what every change used to cost.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAccessIndex } from '../src/access/indexRows.js';
import { builtInRoleDefinitions } from '../src/access/roleDefinitions.js';
import { openStore } from '../src/store/database.js';
import { Tessera } from '../src/tessera.js';

export interface WriteVisibility {
  assignments: number;
  writes: number;
  visibleMedianUs: number;
  visibleP99Us: number;
  writeMedianUs: number;
  reloadMs: number;
}

const PRINCIPALS = 1_000;
const READ = 'Microsoft.Resources/subscriptions/resourceGroups/read';
const hrNow = () => process.hrtime.bigint();
const usSince = (start: bigint) => Number(hrNow() - start) / 1000;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

export async function measureWriteVisibility(assignments: number, writes: number): Promise<WriteVisibility> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-rbac-'));
  const tessera = await Tessera.open({ dataDir });
  try {
    const bootstrap = await tessera.bootstrap();
    if (!bootstrap) throw new Error('the bench data folder was not empty');
    const { tenant, subscription, resourceGroup } = bootstrap;
    const subScope = `/subscriptions/${subscription.subscriptionId}`;
    await seed(dataDir, tenant.id, subScope, assignments);

    await tessera.access.current(0); // the one full load, at start-up
    const rgScope = `${subScope}/resourceGroups/${resourceGroup.name}`;
    const principals = await Promise.all(
      Array.from({ length: writes }, (_, i) =>
        tessera.directory.groups.create(tenant.id, { displayName: `w${i}`, mailNickname: `w${i}` }),
      ),
    );
    const visible: number[] = [];
    const written: number[] = [];
    for (const principal of principals) {
      const started = hrNow();
      await tessera.roleAssignments.create({
        tenantId: tenant.id,
        scope: rgScope,
        roleDefinition: 'Reader',
        principalId: principal.objectId,
      });
      written.push(usSince(started));
      // The write has committed: from here to a check that allows is what a caller waits.
      const committed = hrNow();
      const index = await tessera.access.current();
      if (!index.evaluate(principal.objectId, READ, rgScope, 'action').allowed) {
        throw new Error('a committed role assignment was not visible to the next check');
      }
      visible.push(usSince(committed));
    }

    const store = await openStore({ dataDir });
    const reloadStart = hrNow();
    await loadAccessIndex(store);
    const reloadMs = usSince(reloadStart) / 1000;
    await store.destroy();
    return {
      assignments,
      writes,
      visibleMedianUs: percentile(visible, 0.5),
      visibleP99Us: percentile(visible, 0.99),
      writeMedianUs: percentile(written, 0.5),
      reloadMs,
    };
  } finally {
    await tessera.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Groups as principals and assignments spread over them, written in bulk (not the product's path). */
async function seed(dataDir: string, tenantId: string, subScope: string, count: number) {
  const db = await openStore({ dataDir });
  try {
    const principals = Array.from({ length: PRINCIPALS }, () => randomUUID());
    const roleIds = builtInRoleDefinitions.map((r) => r.name);
    const now = Math.floor(Date.now() / 1000);
    const groups = principals.map((id, i) => ({
      object_id: id,
      tenant_id: tenantId,
      display_name: `p${i}`,
      mail_nickname: `p${i}`,
      description: null,
      created_at: now,
    }));
    const assignments = Array.from({ length: count }, (_, i) => {
      const scope = `${subScope}/resourceGroups/rg-${i % 200}/providers/Microsoft.AppConfiguration/configurationStores/s-${i}`;
      return {
        name: randomUUID(),
        scope,
        scope_lower: scope.toLowerCase(),
        role_definition_id: roleIds[i % roleIds.length] ?? '',
        principal_id: principals[i % PRINCIPALS] ?? '',
        principal_type: 'Group',
        description: null,
        created_on: now,
        updated_on: now,
        created_by: null,
      };
    });
    // Rows per statement stay under SQLite's 32,766 bound parameters.
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < groups.length; i += 500) {
        await trx
          .insertInto('groups')
          .values(groups.slice(i, i + 500))
          .execute();
      }
      for (let i = 0; i < assignments.length; i += 500) {
        await trx
          .insertInto('role_assignments')
          .values(assignments.slice(i, i + 500))
          .execute();
      }
    });
  } finally {
    await db.destroy();
  }
}
