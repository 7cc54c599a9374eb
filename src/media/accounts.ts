import type { MediaServicesAccount } from '../management/mediaServices.js';
import type { Subscription } from '../management/subscriptions.js';

/** What the data plane needs to know about the account a request addresses. */
export interface MediaAccount {
  name: string;
  /** The account's ARM id: the scope its callers' roles are evaluated at. */
  scope: string;
  /** The tenant of the account's subscription: the only issuer of tokens it accepts. */
  tenantId: string;
  /** The account GUID, as the v2 API names it (EncodingReservedUnitTypes' AccountId). */
  mediaServiceId: string;
  location: string;
  storageKey: Buffer;
  /** The port of the account's own origin; null until one is assigned. */
  port: number | null;
}

/** The narrow part of the control plane the data plane reads. */
export interface AccountDirectory {
  findByName(name: string): Promise<MediaServicesAccount | undefined>;
}
export interface SubscriptionDirectory {
  find(subscriptionId: string): Promise<Subscription | undefined>;
}

/** Accounts change rarely and every request resolves one: kept a second, misses included. */
const TTL_MS = 1000;

export class MediaAccounts {
  private readonly cache = new Map<string, { account: MediaAccount | null; at: number }>();

  constructor(
    private readonly accounts: AccountDirectory,
    private readonly subscriptions: SubscriptionDirectory,
  ) {}

  peek(name: string): MediaAccount | null | undefined {
    const entry = this.cache.get(name);
    return entry && Date.now() - entry.at < TTL_MS ? entry.account : undefined;
  }

  async find(name: string): Promise<MediaAccount | null> {
    const cached = this.peek(name);
    if (cached !== undefined) return cached;
    const account = await this.load(name);
    // Names come from request paths: bound the memo.
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(name, { account, at: Date.now() });
    return account;
  }

  private async load(name: string): Promise<MediaAccount | null> {
    // Account names are 3-24 lower-case letters and digits; anything else names nothing.
    if (!/^[a-z0-9]{3,24}$/.test(name)) return null;
    const account = await this.accounts.findByName(name);
    if (!account) return null;
    const subscription = await this.subscriptions.find(account.subscriptionId);
    if (!subscription) return null;
    return {
      name: account.name,
      scope: account.id,
      tenantId: subscription.tenantId,
      mediaServiceId: account.mediaServiceId,
      location: account.location,
      storageKey: Buffer.from(account.storageKey, 'hex'),
      port: account.port,
    };
  }
}
