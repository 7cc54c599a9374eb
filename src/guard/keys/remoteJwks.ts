import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { KeyResolver } from './keyResolver.js';

export interface RemoteJwksOptions {
  /** How long a fetched key set is trusted before it is fetched again. */
  maxAgeSeconds?: number;
  /** At most one refetch for unknown kids in this window, so forged kids cannot flood the issuer;
   * the first unknown kid after a quiet period refetches at once (a key rotation). */
  cooldownSeconds?: number;
  fetch?: typeof fetch;
}

interface Jwk {
  kty?: string;
  kid?: string;
  use?: string;
  n?: string;
  e?: string;
}

/** An Entra-compatible issuer's JWKS over HTTPS, cached, refreshed on an unknown kid. */
export class RemoteJwks implements KeyResolver {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private forcedAt = 0;
  private inflight?: Promise<void>;
  private readonly maxAge: number;
  private readonly cooldown: number;
  private readonly fetcher: typeof fetch;

  constructor(
    private readonly jwksUri: string,
    options: RemoteJwksOptions = {},
  ) {
    if (!jwksUri.startsWith('https://')) throw new Error('The JWKS URI must use https.');
    this.maxAge = options.maxAgeSeconds ?? 3600;
    this.cooldown = options.cooldownSeconds ?? 30;
    this.fetcher = options.fetch ?? fetch;
  }

  async find(kid: string, options: { refresh?: boolean } = {}): Promise<KeyObject | undefined> {
    const now = Date.now() / 1000;
    if (now - this.fetchedAt > this.maxAge) await this.load();
    else if (options.refresh && !this.keys.has(kid) && now - this.forcedAt > this.cooldown) {
      this.forcedAt = now;
      await this.load();
    }
    return this.keys.get(kid);
  }

  private load(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    const response = await this.fetcher(this.jwksUri, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`JWKS fetch from ${this.jwksUri} failed with HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: Jwk[] };
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys ?? []) {
      if (jwk.kty !== 'RSA' || !jwk.kid || !jwk.n || !jwk.e || (jwk.use && jwk.use !== 'sig')) continue;
      keys.set(jwk.kid, createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }));
    }
    this.keys = keys;
    this.fetchedAt = Date.now() / 1000;
  }
}
