import type { Store } from '../store/database.js';
import type { AccessChangeTable } from '../store/schema.js';

export interface JournalEntry {
  seq: number;
  entity: AccessChangeTable['entity'];
  key: string;
}

/** The last entry written; 0 while the journal is empty. */
export async function journalHead(db: Store): Promise<number> {
  const row = await db
    .selectFrom('access_changes')
    .select((eb) => eb.fn.max('seq').as('head'))
    .executeTakeFirst();
  return Number(row?.head ?? 0);
}

/** Up to `limit` entries after `afterSeq`, oldest first. */
export async function journalSince(db: Store, afterSeq: number, limit: number): Promise<JournalEntry[]> {
  const rows = await db
    .selectFrom('access_changes')
    .select(['seq', 'entity', 'entity_key'])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), entity: r.entity, key: r.entity_key }));
}

/**
 * Whether entries after `afterSeq` were pruned before this reader saw them. A hole in the
 * sequence alone does not say so: PostgreSQL skips the values of rolled-back transactions.
 */
export async function journalPrunedAfter(db: Store, afterSeq: number): Promise<boolean> {
  const row = await db
    .selectFrom('access_changes')
    .select((eb) => eb.fn.min('seq').as('oldest'))
    .executeTakeFirst();
  return row?.oldest != null && Number(row.oldest) > afterSeq + 1;
}
