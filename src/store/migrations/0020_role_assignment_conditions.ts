import type { Kysely } from 'kysely';

/**
 * Role assignment conditions (ABAC): the condition's text and version (null for an assignment
 * without one, which is every assignment made before this migration), and who last changed the
 * assignment, now that a PUT can update its condition and description. The access journal's
 * triggers (0014) already record UPDATEs, so every node's index picks a changed condition up.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const assignments = db.schema.alterTable('role_assignments');
  await assignments.addColumn('condition', 'text').execute();
  await assignments.addColumn('condition_version', 'varchar(8)').execute();
  await assignments.addColumn('updated_by', 'varchar(64)').execute();
}
