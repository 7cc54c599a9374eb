import { scopeKey, scopeKeyAndAncestors } from '../../access/scopeKey.js';

/** Where an assignment sits relative to the scope a list was asked for. */
export type ScopeRelation = 'at' | 'above' | 'below' | 'unrelated';

export function relationOf(candidate: string, target: string): ScopeRelation {
  const c = scopeKey(candidate);
  const t = scopeKey(target);
  if (c === t) return 'at';
  if (scopeKeyAndAncestors(t).includes(c)) return 'above';
  if (t === '/' || c.startsWith(`${t}/`)) return 'below';
  return 'unrelated';
}

/** ARM's `atScope()`: at the scope or above it (what applies there), never below. */
export const appliesAt = (candidate: string, target: string): boolean => {
  const relation = relationOf(candidate, target);
  return relation === 'at' || relation === 'above';
};

/** ARM's default for authorization lists: at, above and below the scope. */
export const relatedTo = (candidate: string, target: string): boolean =>
  relationOf(candidate, target) !== 'unrelated';
