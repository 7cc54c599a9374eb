import type { KeyObject } from 'node:crypto';
import type { SigningKeys } from '../../authority/tokens/signingKeys.js';
import type { KeyResolver } from './keyResolver.js';

const REFRESH_SECONDS = 60;
/** Unknown kids (a rotation, or forged tokens) reload at most this often. */
const FORCED_RELOAD_SECONDS = 1;

/** Tessera's own published keys, read from the store in process (no HTTP round trip). */
export class LocalKeys implements KeyResolver {
  private keys = new Map<string, KeyObject>();
  private loadedAt = 0;
  private forcedAt = 0;

  constructor(private readonly signingKeys: SigningKeys) {}

  async find(kid: string, options: { refresh?: boolean } = {}): Promise<KeyObject | undefined> {
    const now = Date.now() / 1000;
    if (now - this.loadedAt > REFRESH_SECONDS) await this.load();
    else if (options.refresh && !this.keys.has(kid) && now - this.forcedAt > FORCED_RELOAD_SECONDS) {
      this.forcedAt = now;
      await this.load();
    }
    return this.keys.get(kid);
  }

  private async load(): Promise<void> {
    const published = await this.signingKeys.published();
    this.keys = new Map(published.map((k) => [k.kid, k.publicKey]));
    this.loadedAt = Date.now() / 1000;
  }
}
