import type { Store } from '../../store/database.js';

export type AuthoritySecretName = 'pairwise_subject' | 'failed_password' | 'csrf';

/**
 * Keys every node must share, created by the migration and never rotated: rotating the pairwise
 * salt would change every user's `sub`, and the wrong-password key only needs to outlive a lockout.
 */
export class AuthoritySecrets {
  private readonly loaded = new Map<AuthoritySecretName, Promise<Buffer>>();

  constructor(private readonly db: Store) {}

  get(name: AuthoritySecretName): Promise<Buffer> {
    let value = this.loaded.get(name);
    if (!value) {
      value = this.load(name);
      this.loaded.set(name, value);
      // A failed read (the store closing) must not stick.
      value.catch(() => this.loaded.delete(name));
    }
    return value;
  }

  private async load(name: AuthoritySecretName): Promise<Buffer> {
    const row = await this.db
      .selectFrom('authority_secrets')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return Buffer.from(row.value, 'base64url');
  }
}
