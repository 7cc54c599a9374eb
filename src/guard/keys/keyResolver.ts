import type { KeyObject } from 'node:crypto';

/** Finds the public key for a `kid`; `refresh` is a hint that the key set may have changed. */
export interface KeyResolver {
  find(kid: string, options?: { refresh?: boolean }): Promise<KeyObject | undefined>;
}
