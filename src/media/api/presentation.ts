import type { EntityRecord } from '../odata/edm.js';
import { rulesOf } from '../entities/registry.js';
import type { PresentContext } from '../entities/rules.js';
import type { AccountView } from '../persistence/accountView.js';

/**
 * The entities of a set as clients see them: built-in ones first, then the stored ones, each
 * with its computed fields. Listings of a set are memoised per committed array and origin, since
 * a page of a large set is filtered and sorted over all of it.
 */
const presented = new WeakMap<readonly EntityRecord[], Map<string, readonly EntityRecord[]>>();

export function entitiesOf(view: AccountView, set: string, ctx: PresentContext): readonly EntityRecord[] {
  const rules = rulesOf(set);
  const stored = view.list(set);
  const key = ctx.urls.root;
  let byOrigin = presented.get(stored);
  const hit = byOrigin?.get(key);
  if (hit && !rules.builtIn) return hit;
  const all = [...(rules.builtIn?.(ctx.account, view) ?? []), ...stored];
  const result = rules.present ? all.map((record) => rules.present?.(record, ctx) ?? record) : all;
  if (!byOrigin) presented.set(stored, (byOrigin = new Map()));
  if (byOrigin.size > 8) byOrigin.clear();
  byOrigin.set(key, result);
  return result;
}

export function entityOf(
  view: AccountView,
  set: string,
  id: string,
  ctx: PresentContext,
): EntityRecord | undefined {
  const rules = rulesOf(set);
  const record = view.get(set, id) ?? rules.builtIn?.(ctx.account, view).find((e) => e.Id === id);
  if (!record) return undefined;
  return rules.present ? rules.present(record, ctx) : record;
}
