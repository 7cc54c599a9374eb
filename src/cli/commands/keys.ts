import { X509Certificate } from 'node:crypto';
import type { Command } from 'commander';
import type { PublishedKey } from '../../authority/tokens/signingKeys.js';
import { isoFromSeconds } from '../../clock.js';
import type { CliIo } from '../io.js';
import { printJson } from '../io.js';
import type { DataOptions } from '../options.js';
import { dataCommand, withTessera } from '../options.js';

// Keys are retired one after another, so this is newest first even when two were made in the
// same second (creation times have one-second resolution).
const activeFirst = (a: PublishedKey, b: PublishedKey): number =>
  (b.retiredAt ?? Number.MAX_SAFE_INTEGER) - (a.retiredAt ?? Number.MAX_SAFE_INTEGER);

const keyJson = (key: PublishedKey) => ({
  kid: key.kid,
  // A key's certificate is issued when the key is made, so it dates the key.
  createdAt: new Date(new X509Certificate(Buffer.from(key.x5c, 'base64')).validFrom).toISOString(),
  retiredAt: key.retiredAt === null ? null : isoFromSeconds(key.retiredAt),
});

export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('Manage the keys that sign tokens.');

  dataCommand(
    keys,
    'rotate',
    'Sign with a new key; the previous one stays published until its tokens expire.',
  ).action(async (options: DataOptions) => {
    printJson(io, await withTessera(options, (tessera) => tessera.keys.rotate()));
  });

  dataCommand(keys, 'list', 'List the published signing keys, the active one first.').action(
    async (options: DataOptions) => {
      const published = await withTessera(options, (tessera) => tessera.keys.published());
      printJson(io, [...published].sort(activeFirst).map(keyJson));
    },
  );
}
