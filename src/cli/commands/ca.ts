import type { Command } from 'commander';
import { ensureTlsMaterial } from '../../tls/certificateAuthority.js';
import type { CliIo } from '../io.js';
import type { DataOptions } from '../options.js';
import { dataCommand, dataDirOf } from '../options.js';

export function registerCa(program: Command, io: CliIo): void {
  dataCommand(program, 'ca', 'Print the path of the CA certificate the server on the data folder uses.')
    // A bare path, not JSON, so `export NODE_EXTRA_CA_CERTS=$(tessera ca)` works.
    .action(async (options: DataOptions) => {
      const tls = await ensureTlsMaterial(dataDirOf(options));
      io.stdout.write(`${tls.caCertPath}\n`);
    });
}
