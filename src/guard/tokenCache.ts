import type { AccessTokenClaims } from './principal.js';

/**
 * Signature-verified tokens, so a token reused for many requests pays the RSA check once.
 * Bounded (oldest evicted first) and each entry dies with its token; claim rules that depend
 * on the resource (issuer, audience) and on time are still checked on every request.
 */
const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1);

export class ValidatedTokenCache {
  // Keyed by the signature segment: hashing a whole 1.5 KB token for every lookup is measurable,
  // and each entry still compares the full token before it is trusted.
  private readonly entries = new Map<
    string,
    { token: string; claims: AccessTokenClaims; expiresAt: number }
  >();

  constructor(private readonly maxEntries = 10_000) {}

  get(token: string, nowSeconds: number): AccessTokenClaims | undefined {
    const key = signatureOf(token);
    const entry = this.entries.get(key);
    if (!entry || entry.token !== token) return undefined;
    if (entry.expiresAt <= nowSeconds) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: AccessTokenClaims, expiresAt: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(signatureOf(token), { token, claims, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}
