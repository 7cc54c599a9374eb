import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { appConfigRowsForPostgres } from '../../appconfig/persistence/engines/postgresCopy.js';
import { copySqliteToPostgres, StoreCopyError } from '../../store/copyStore.js';
import { sqliteFile } from '../../store/database.js';
import { isPostgresUrl, redactedUrl } from '../../store/engines/postgres.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { printJson, printWarning } from '../io.js';

interface MigrateOptions {
  from: string;
  to: string;
}

export function registerMigrate(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description(
      'Copy a data folder’s store (SQLite) into an empty PostgreSQL database, then compare every table’s count.',
    )
    .requiredOption('--from <folder>', 'The data folder whose tessera.db to copy.')
    .requiredOption(
      '--to <url>',
      'The PostgreSQL database to copy into (postgres://user@host:port/database).',
    )
    .action(async (options: MigrateOptions) => {
      const dataDir = resolve(options.from);
      if (!existsSync(sqliteFile(dataDir))) throw new UsageError(`${sqliteFile(dataDir)} does not exist.`);
      if (!isPostgresUrl(options.to)) {
        throw new UsageError(`--to must be a postgres:// URL, not ${redactedUrl(options.to)}.`);
      }
      let tables;
      try {
        tables = await copySqliteToPostgres(dataDir, options.to, { transforms: appConfigRowsForPostgres });
      } catch (error) {
        if (error instanceof StoreCopyError) throw new UsageError(error.message);
        throw error;
      }
      const mismatched = tables.filter((t) => t.source !== t.target);
      printJson(io, {
        from: sqliteFile(dataDir),
        to: redactedUrl(options.to),
        rows: tables.reduce((sum, t) => sum + t.source, 0),
        tables: Object.fromEntries(tables.map((t) => [t.table, { source: t.source, target: t.target }])),
        verified: mismatched.length === 0,
      });
      if (mismatched.length > 0) {
        throw new Error(`counts differ after the copy: ${mismatched.map((t) => t.table).join(', ')}`);
      }
      // Keys in the store are sealed under the folder's key-encryption key: nodes need that one.
      printWarning(
        io,
        `signing keys and access keys stay sealed under ${resolve(dataDir, 'kek')} (or the TESSERA_KEK it ran with): ` +
          'give every node on the database that key-encryption key, and the media folder if it served Media Services.',
      );
    });
}
