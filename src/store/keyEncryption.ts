import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'kek1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
export const KEK_FILE = 'kek';
export const KEK_ENV = 'TESSERA_KEK';

/** Seals secrets at rest and opens them again; `purpose` binds a value to its place. */
export interface KeySealing {
  seal(plaintext: string, purpose: string): string;
  open(stored: string, purpose: string): string;
}

/**
 * Secrets at rest (token-signing keys, App Configuration access keys), sealed with AES-256-GCM under a key-encryption key that
 * is not in the database: `TESSERA_KEK` (base64 of 32 bytes) when set — so the database and its
 * backups can live apart from the key — else `<data folder>/kek`, made 0600 on first use. A copied
 * `tessera.db` alone then lets nobody mint tokens. The value's purpose is bound in as associated
 * data, so a sealed value cannot be moved to another column or row.
 */
export class KeyEncryption implements KeySealing {
  private constructor(private readonly key: Buffer) {}

  static forDataFolder(dataDir: string, env: NodeJS.ProcessEnv = process.env): KeyEncryption {
    const fromEnv = env[KEK_ENV];
    if (fromEnv !== undefined && fromEnv !== '') return new KeyEncryption(decodeKey(fromEnv, KEK_ENV));
    const path = join(dataDir, KEK_FILE);
    try {
      return new KeyEncryption(decodeKey(readFileSync(path, 'utf8').trim(), path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const key = randomBytes(KEY_BYTES);
    try {
      // `wx`: of two processes opening a new folder at once, one writes the key and the other reads it.
      writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      return new KeyEncryption(key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return new KeyEncryption(decodeKey(readFileSync(path, 'utf8').trim(), path));
    }
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}${[iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.')}`;
  }

  /** A value written before sealing existed is returned as it is (and resealed by its owner). */
  open(stored: string, purpose: string): string {
    if (!KeyEncryption.isSealed(stored)) return stored;
    const [iv, body, tag] = stored
      .slice(PREFIX.length)
      .split('.')
      .map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !body || !tag) throw new Error(`a sealed ${purpose} is malformed`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        `a sealed ${purpose} cannot be opened: the key-encryption key (${KEK_ENV} or the data folder's ${KEK_FILE}) is not the one it was sealed with`,
      );
    }
  }
}

function decodeKey(text: string, source: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${source} must hold ${KEY_BYTES} bytes in base64`);
  return key;
}
