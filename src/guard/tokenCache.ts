import type { AccessTokenClaims } from './principal.js';

/**
 * Signature-verified tokens, so a token reused for many requests pays the RSA check once.
 * Bounded (oldest evicted first) and each entry dies with its token; claim rules that depend
 * on the resource (issuer, audience) and on time are still checked on every request.
 */
export class ValidatedTokenCache {
  private readonly entries = new Map<string, { claims: AccessTokenClaims; expiresAt: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(token: string, nowSeconds: number): AccessTokenClaims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowSeconds) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: AccessTokenClaims, expiresAt: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { claims, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}
