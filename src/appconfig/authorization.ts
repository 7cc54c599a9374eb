import type { AccessIndex } from '../access/accessIndex.js';
import type { AccessEngine } from '../access/engine.js';
import type { Caller } from './authentication/caller.js';
import { appConfigErrors } from './errors.js';
import type { DataPlaneStore } from './stores.js';

const PROVIDER = 'Microsoft.AppConfiguration/configurationStores';

/** The data actions App Configuration's operations require (Azure's names). */
export const dataActions = {
  keyValuesRead: `${PROVIDER}/keyValues/read`,
  keyValuesWrite: `${PROVIDER}/keyValues/write`,
  keyValuesDelete: `${PROVIDER}/keyValues/delete`,
  snapshotsRead: `${PROVIDER}/snapshots/read`,
  snapshotsWrite: `${PROVIDER}/snapshots/write`,
  snapshotsArchive: `${PROVIDER}/snapshots/archive/action`,
} as const;

export type DataAction = (typeof dataActions)[keyof typeof dataActions];

const isRead = (action: DataAction): boolean => action.endsWith('/read');

// Decisions per index and revision (any change to access moves the revision), because a
// data-plane caller asks the same question on every request.
const decisions = new WeakMap<AccessIndex, { revision: number; memo: Map<string, boolean> }>();
const MAX_DECISIONS = 10_000;

function isAllowed(index: AccessIndex, principalId: string, action: DataAction, scope: string): boolean {
  let cached = decisions.get(index);
  if (cached?.revision !== index.revision) {
    decisions.set(index, (cached = { revision: index.revision, memo: new Map() }));
  }
  const { memo } = cached;
  const key = `${principalId} ${action} ${scope}`;
  let allowed = memo.get(key);
  if (allowed === undefined) {
    allowed = index.evaluate(principalId, action, scope, 'dataAction').allowed;
    if (memo.size >= MAX_DECISIONS) memo.clear();
    memo.set(key, allowed);
  }
  return allowed;
}

/**
 * Access keys stand outside RBAC, as in Azure: a read-write key may do anything, a read-only key
 * only reads. A principal needs every action on the store's scope, granted by a role assignment
 * (App Configuration Data Owner / Data Reader, or a custom role); control-plane roles such as
 * Owner grant no data actions. Refusals are a bare 403, as the service answers.
 */
export async function authorize(
  access: AccessEngine,
  caller: Caller,
  store: DataPlaneStore,
  actions: readonly DataAction[],
): Promise<void> {
  if (caller.kind === 'accessKey') {
    if (caller.readOnly && !actions.every(isRead)) throw appConfigErrors.forbidden();
    return;
  }
  const index = await access.current();
  for (const action of actions) {
    if (!isAllowed(index, caller.objectId, action, store.scope)) throw appConfigErrors.forbidden();
  }
}
