import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { withSessionLock } from './engines/postgres.js';

export interface StartupLockLocation {
  dataDir: string;
  databaseUrl?: string;
}

/** Tessera's own advisory lock key for start-up (the migrations hold another). */
const STARTUP_LOCK = '7439620186419355074';
/** The SQLite file whose write lock is the start-up lock of a data folder. */
export const STARTUP_LOCK_FILE = 'startup.lock';
const SQLITE_RETRY_MS = 20;
const SQLITE_WAIT_MS = 120_000;

/**
 * Runs `work` while no other process opening the same store runs its own: the first-run set-up
 * (first-party applications, the first tenant and administrator, the first signing key, sealing,
 * shared TLS material) reads, decides and writes, and two nodes starting on a fresh database
 * would otherwise both decide to create. On PostgreSQL a session advisory lock on a connection of
 * its own; on SQLite the write lock (`BEGIN IMMEDIATE`) of a small database file beside the store,
 * since the store's own write lock would shut out the set-up's writes. Either is released with
 * the process that holds it, should it die.
 */
export async function withStartupLock<T>(location: StartupLockLocation, work: () => Promise<T>): Promise<T> {
  if (location.databaseUrl !== undefined)
    return withSessionLock(location.databaseUrl, STARTUP_LOCK, 'tessera start-up', work);
  // The folder is made here, as openStore would: the lock comes first.
  mkdirSync(location.dataDir, { recursive: true, mode: 0o700 });
  return withFileLock(join(location.dataDir, STARTUP_LOCK_FILE), work);
}

async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  // No busy timeout: better-sqlite3 would wait synchronously, blocking this process's event loop
  // (and so a holder in this same process) for the whole wait. It is polled instead.
  const lock = new SqliteDatabase(file, { timeout: 0 });
  try {
    const deadline = Date.now() + SQLITE_WAIT_MS;
    for (;;) {
      try {
        lock.exec('BEGIN IMMEDIATE');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        if (Date.now() > deadline) {
          throw new Error(
            `another process has been starting on the data folder of ${file} for over ` +
              `${SQLITE_WAIT_MS / 1000} s; is one stuck?`,
            { cause: error },
          );
        }
        await sleep(SQLITE_RETRY_MS);
      }
    }
    return await work();
  } finally {
    // Closing ends the transaction, and with it the lock.
    lock.close();
  }
}
