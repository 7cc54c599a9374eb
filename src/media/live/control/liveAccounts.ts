import type { Store } from '../../../store/database.js';

const LIVE_SETS = ['Channels', 'Programs', 'StreamingEndpoints', 'Operations'];

/** The accounts that have live entities or operations stored: what the supervisor looks at. */
export async function accountsWithLive(db: Store): Promise<string[]> {
  const rows = await db
    .selectFrom('media_entities')
    .select('account')
    .distinct()
    .where('entity_set', 'in', LIVE_SETS)
    .execute();
  return rows.map((r) => r.account);
}
