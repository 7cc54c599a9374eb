import { hasStrings, isRecord, readJson, removeKey, writeJson } from './storage.js';

/** One signed-in person in one tenant: what the portal needs to get tokens for it. */
export interface Account {
  tenantId: string;
  /** The object id of the user. */
  objectId: string;
  username: string;
  name: string;
  /** Single use: each refresh returns the next one, which replaces it here. */
  refreshToken: string;
}

interface AccountState {
  accounts: Account[];
  activeTenantId: string;
}

const KEY = 'accounts';
const FIELDS = ['tenantId', 'objectId', 'username', 'name', 'refreshToken'] as const;

const isAccount = (value: unknown): value is Account => isRecord(value) && hasStrings(value, FIELDS);

const isState = (value: unknown): value is AccountState =>
  isRecord(value) &&
  typeof value.activeTenantId === 'string' &&
  Array.isArray(value.accounts) &&
  value.accounts.every(isAccount);

/**
 * The accounts this tab signed in with, one per tenant (people in several tenants switch
 * between them without signing in again), and the one in use.
 */
export const accountStore = {
  load(): AccountState | undefined {
    return readJson(KEY, isState);
  },
  active(): Account | undefined {
    const state = this.load();
    return state?.accounts.find((a) => a.tenantId === state.activeTenantId);
  },
  /** Adds or replaces the account of its tenant and makes it the active one. */
  signedIn(account: Account): void {
    const others = (this.load()?.accounts ?? []).filter((a) => a.tenantId !== account.tenantId);
    writeJson(KEY, { accounts: [...others, account], activeTenantId: account.tenantId });
  },
  activate(tenantId: string): boolean {
    const state = this.load();
    if (!state?.accounts.some((a) => a.tenantId === tenantId)) return false;
    writeJson(KEY, { ...state, activeTenantId: tenantId });
    return true;
  },
  replaceRefreshToken(tenantId: string, refreshToken: string): void {
    const state = this.load();
    if (!state) return;
    const accounts = state.accounts.map((a) => (a.tenantId === tenantId ? { ...a, refreshToken } : a));
    writeJson(KEY, { ...state, accounts });
  },
  /** The tenant's refresh token no longer works: its account must sign in again. */
  forget(tenantId: string): void {
    const state = this.load();
    if (!state) return;
    writeJson(KEY, { ...state, accounts: state.accounts.filter((a) => a.tenantId !== tenantId) });
  },
  clear(): void {
    removeKey(KEY);
  },
};
