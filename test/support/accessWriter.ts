// A second process writing role assignments into a data folder while a test's own process writes
// too: argv = the store ({ dataDir, databaseUrl? } as JSON), tenantId, scope, then the principal ids to
// assign. Prints the names it left.
import { Tessera } from '../../src/tessera.js';

const [store, tenantId, scope, ...principals] = process.argv.slice(2);
if (!store || !tenantId || !scope) throw new Error('usage: accessWriter store tenantId scope principal…');
const tessera = await Tessera.open(JSON.parse(store) as { dataDir: string; databaseUrl?: string });
const kept: string[] = [];
for (const [i, principalId] of principals.entries()) {
  const assignment = await tessera.roleAssignments.create({
    tenantId,
    scope,
    roleDefinition: i % 2 === 0 ? 'Reader' : 'Contributor',
    principalId,
  });
  if (i % 3 === 2) await tessera.roleAssignments.delete(assignment.name);
  else kept.push(assignment.name);
}
await tessera.close();
process.stdout.write(JSON.stringify(kept));
