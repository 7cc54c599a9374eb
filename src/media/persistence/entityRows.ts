import type { EntityRecord } from '../odata/edm.js';
import { accountVersion } from './accountVersions.js';
import type { Change } from './accountWriter.js';
import { AccountState } from './accountView.js';
import type { Queryable } from './mediaTables.js';

/**
 * The rows of `media_entities` and `media_links` (migration 0009): an account read into a view,
 * and a unit's changes written out.
 */

/**
 * The account as of one snapshot, tagged with its version. `db` must give one snapshot for the
 * three reads (a transaction: REPEATABLE READ on PostgreSQL); the version is read first, so a
 * view can only ever be older than its rows, never claim to be newer.
 */
export async function readAccount(db: Queryable, account: string): Promise<AccountState> {
  const state = new AccountState(account);
  state.version = await accountVersion(db, account);
  const entities = await db
    .selectFrom('media_entities')
    .select(['entity_set', 'id', 'body'])
    .where('account', '=', account)
    .orderBy('seq')
    .execute();
  const links = await db
    .selectFrom('media_links')
    .select(['source_set', 'source_id', 'navigation', 'target_set', 'target_id'])
    .where('account', '=', account)
    .orderBy('seq')
    .execute();
  for (const row of entities) state.put(row.entity_set, row.id, JSON.parse(row.body) as EntityRecord);
  for (const row of links) {
    state.addLink({
      sourceSet: row.source_set,
      sourceId: row.source_id,
      navigation: row.navigation,
      targetSet: row.target_set,
      targetId: row.target_id,
    });
  }
  return state;
}

/** A unit's changes, in order, in its transaction. */
export async function writeChanges(
  trx: Queryable,
  account: string,
  changes: readonly Change[],
): Promise<void> {
  for (const change of changes) {
    switch (change.kind) {
      case 'put': {
        const body = JSON.stringify(change.record);
        if (change.created) {
          await trx
            .insertInto('media_entities')
            .values({ account, entity_set: change.set, id: change.id, body })
            .execute();
        } else {
          await trx
            .updateTable('media_entities')
            .set({ body })
            .where('account', '=', account)
            .where('entity_set', '=', change.set)
            .where('id', '=', change.id)
            .execute();
        }
        break;
      }
      case 'remove':
        await trx
          .deleteFrom('media_entities')
          .where('account', '=', account)
          .where('entity_set', '=', change.set)
          .where('id', '=', change.id)
          .execute();
        break;
      case 'link':
        await trx
          .insertInto('media_links')
          .values({
            account,
            source_set: change.link.sourceSet,
            source_id: change.link.sourceId,
            navigation: change.link.navigation,
            target_set: change.link.targetSet,
            target_id: change.link.targetId,
          })
          .onConflict((c) => c.doNothing())
          .execute();
        break;
      case 'unlink':
        await trx
          .deleteFrom('media_links')
          .where('account', '=', account)
          .where('source_set', '=', change.link.sourceSet)
          .where('source_id', '=', change.link.sourceId)
          .where('navigation', '=', change.link.navigation)
          .where('target_id', '=', change.link.targetId)
          .execute();
        break;
    }
  }
}

/** The committed changes, applied to the view they were staged over. */
export function applyChanges(state: AccountState, changes: readonly Change[]): void {
  for (const change of changes) {
    if (change.kind === 'put') state.put(change.set, change.id, change.record);
    else if (change.kind === 'remove') state.remove(change.set, change.id);
    else if (change.kind === 'link') state.addLink(change.link);
    else state.removeLink(change.link);
  }
}
