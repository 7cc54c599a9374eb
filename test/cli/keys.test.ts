import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliFolder, runCli } from './support.js';
import type { CliFolder } from './support.js';

interface KeyOutput {
  kid: string;
  createdAt: string;
  retiredAt: string | null;
}

describe('tessera keys and ca', () => {
  let f: CliFolder;
  before(() => {
    f = cliFolder();
  });
  after(() => f.remove());

  it('rotates the signing key and keeps the previous one published', async () => {
    // The data folder's first use made a key.
    const [initial] = await f.json<KeyOutput[]>('keys list');
    const first = await f.json<{ kid: string; retired: string[] }>('keys rotate');
    assert.deepEqual(first.retired, [initial?.kid]);
    const second = await f.json<{ kid: string; retired: string[] }>('keys rotate');
    assert.deepEqual(second.retired, [first.kid]);
    const keys = await f.json<KeyOutput[]>('keys list');
    // The active key first; the retired ones after it (times have one-second resolution, so two
    // rotations in one second tie, and their order among themselves is not defined).
    assert.equal(keys[0]?.kid, second.kid);
    assert.deepEqual(
      keys
        .slice(1)
        .map((k) => k.kid)
        .sort(),
      [first.kid, initial?.kid].sort(),
    );
    assert.equal(keys[0]?.retiredAt, null);
    for (const retired of keys.slice(1)) assert.match(retired.retiredAt ?? '', /^\d{4}-\d\d-\d\dT/);
    for (const key of keys) assert.ok(Math.abs(Date.parse(key.createdAt) - Date.now()) < 60_000);
  });

  it('prints the bare CA path of the data folder', async () => {
    const result = await f.cli('ca');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${join(f.dataDir, 'tls', 'ca.pem')}\n`);
  });

  it('creates the CA when missing, in TESSERA_DATA resolved against the working directory', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tessera-ca-'));
    mkdirSync(join(parent, 'relative'));
    const cwd = process.cwd();
    // node:test runs each file in its own process, so changing it here affects no other test.
    process.chdir(parent);
    process.env.TESSERA_DATA = 'relative';
    try {
      const result = await runCli(['ca']);
      assert.equal(result.code, 0, result.stderr);
      const path = result.stdout.trim();
      assert.equal(path, join(parent, 'relative', 'tls', 'ca.pem'));
      assert.ok(existsSync(path));
      assert.match(readFileSync(path, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    } finally {
      delete process.env.TESSERA_DATA;
      process.chdir(cwd);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
