import type { DataPlaneStore } from '../stores.js';

// The last token built per store: every response carries one, and it changes only with writes.
const built = new Map<string, { sequence: number; token: string }>();

/**
 * `Sync-Token: <id>=<value>;sn=<sequence>`: the store's change counter. Clients send tokens back
 * to read their own writes on a replicated service; Tessera's store is consistent, so tokens
 * received are accepted and need no handling.
 */
export function syncToken(store: DataPlaneStore, sequence: number): string {
  const last = built.get(store.syncTokenId);
  if (last?.sequence === sequence) return last.token;
  const value = Buffer.from(`${sequence}`, 'utf8').toString('base64');
  const token = `${store.syncTokenId}=${value};sn=${sequence}`;
  if (built.size >= 10_000) built.clear();
  built.set(store.syncTokenId, { sequence, token });
  return token;
}
