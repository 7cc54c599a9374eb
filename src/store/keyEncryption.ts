import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'kek1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
export const KEK_FILE = 'kek';
export const KEK_ENV = 'TESSERA_KEK';
/** A file holding the key, for nodes that share one through a mounted secret or a shared folder. */
export const KEK_FILE_ENV = 'TESSERA_KEK_FILE';

/** Seals secrets at rest and opens them again; `purpose` binds a value to its place. */
export interface KeySealing {
  seal(plaintext: string, purpose: string): string;
  open(stored: string, purpose: string): string;
}

/**
 * Secrets at rest (token-signing keys, App Configuration access keys, the shared TLS key on
 * PostgreSQL), sealed with AES-256-GCM under a key-encryption key that is not in the database:
 * `TESSERA_KEK` (base64 of 32 bytes) when set — so the database and its backups can live apart
 * from the key — else the file `TESSERA_KEK_FILE` names, else `<data folder>/kek`; a file is made
 * 0600 on first use. A copied `tessera.db` alone then lets nobody mint tokens. The value's purpose
 * is bound in as associated data, so a sealed value cannot be moved to another column or row.
 *
 * Every process on one database must hold the same key: nodes on PostgreSQL share it through
 * `TESSERA_KEK` or `TESSERA_KEK_FILE`, since each node's data folder would otherwise make its own.
 */
export class KeyEncryption implements KeySealing {
  private constructor(
    private readonly key: Buffer,
    /** Where the key came from, for messages. */
    readonly source: string,
  ) {}

  static forDataFolder(dataDir: string, env: NodeJS.ProcessEnv = process.env): KeyEncryption {
    const fromEnv = env[KEK_ENV];
    if (fromEnv !== undefined && fromEnv !== '') {
      return new KeyEncryption(decodeKey(fromEnv, KEK_ENV), KEK_ENV);
    }
    const file = env[KEK_FILE_ENV];
    if (file !== undefined && file !== '') return KeyEncryption.fromFile(file, `${KEK_FILE_ENV} (${file})`);
    const path = join(dataDir, KEK_FILE);
    return KeyEncryption.fromFile(path, path);
  }

  private static fromFile(path: string, source: string): KeyEncryption {
    try {
      return new KeyEncryption(decodeKey(readFileSync(path, 'utf8').trim(), path), source);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const key = randomBytes(KEY_BYTES);
    try {
      // `wx`: of two processes opening a new folder at once, one writes the key and the other reads it.
      writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      return new KeyEncryption(key, source);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return new KeyEncryption(decodeKey(readFileSync(path, 'utf8').trim(), path), source);
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
      throw new KeyEncryptionMismatch(purpose, this.source);
    }
  }
}

/**
 * A sealed value this process cannot open: the store was sealed under another key-encryption key
 * (another node's data folder made its own, or the key was replaced).
 */
export class KeyEncryptionMismatch extends Error {
  constructor(purpose: string, source: string) {
    super(
      `a sealed ${purpose} cannot be opened: the key-encryption key (${source}) is not the one it was ` +
        `sealed with. Every process on one database needs the same key: give each node the first ` +
        `node's key through ${KEK_ENV} (the base64 in its data folder's ${KEK_FILE} file) or ` +
        `${KEK_FILE_ENV}.`,
    );
    this.name = 'KeyEncryptionMismatch';
  }
}

function decodeKey(text: string, source: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${source} must hold ${KEY_BYTES} bytes in base64`);
  return key;
}
