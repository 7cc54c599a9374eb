import type { Command } from 'commander';
import { ensureTlsMaterial, tlsPaths } from '../../tls/certificateAuthority.js';
import { sharedCa } from '../../tls/sharedTls.js';
import { TlsMaterialStore } from '../../tls/tlsMaterialStore.js';
import type { CliIo } from '../io.js';
import type { DataOptions } from '../options.js';
import { dataCommand, dataDirOf, withTessera } from '../options.js';

export function registerCa(program: Command, io: CliIo): void {
  dataCommand(program, 'ca', 'Print the path of the CA certificate the server on the data folder uses.')
    // A bare path, not JSON, so `export NODE_EXTRA_CA_CERTS=$(tessera ca)` works.
    .action(async (options: DataOptions) => {
      io.stdout.write(`${await caCertPath(options)}\n`);
    });
}

/**
 * On SQLite the data folder's own CA; on PostgreSQL the one every node on the database serves
 * under, copied into the folder, so that a client machine trusts every node with one file.
 */
async function caCertPath(options: DataOptions): Promise<string> {
  if (options.database === undefined) return (await ensureTlsMaterial(dataDirOf(options))).caCertPath;
  return withTessera(options, async (tessera) => {
    const store = new TlsMaterialStore(tessera.db, tessera.sealing);
    await tessera.exclusively(() => sharedCa(tessera.dataDir, store));
    return tlsPaths(tessera.dataDir).caCert;
  });
}
