import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import { scopeKey } from '../access/scopeKey.js';
import type { Database } from '../store/schema.js';

/**
 * Deletes the role and deny assignments made at a scope or anywhere below it, as Azure does when
 * the resource or group they were made on is deleted. Run inside `changeAccess`, so access
 * engines everywhere learn about it. A prefix compared with substr (not LIKE) keeps `_` in
 * resource group names literal.
 */
export async function removeAccessAtAndBelow(trx: Transaction<Database>, scope: string): Promise<void> {
  const key = scopeKey(scope);
  const prefix = `${key}/`;
  const atOrBelow = sql<boolean>`(scope_lower = ${key} or substr(scope_lower, 1, ${prefix.length}) = ${prefix})`;
  await trx.deleteFrom('role_assignments').where(atOrBelow).execute();
  await trx.deleteFrom('deny_assignments').where(atOrBelow).execute();
}
