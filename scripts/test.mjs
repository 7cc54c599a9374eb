// The test entry point: one local CA for the whole run, created before any test process starts,
// because Node reads NODE_EXTRA_CA_CERTS only at start-up and the SDKs must trust Tessera
// without TLS verification being switched off.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// Per run, so two runs on one machine never share (or delete) each other's CA.
const caDir = mkdtempSync(join(tmpdir(), 'tessera-test-ca-'));

const tsx = ['--import', 'tsx'];
const made = spawnSync(process.execPath, [...tsx, join(root, 'test/support/makeCa.ts'), caDir], {
  stdio: 'inherit',
});
if (made.status !== 0) process.exit(made.status ?? 1);

const only = process.argv.slice(2);
const files = (only.length > 0 ? only : findTests(join(root, 'test'))).sort();
const result = spawnSync(process.execPath, [...tsx, '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_EXTRA_CA_CERTS: join(caDir, 'tls', 'ca.pem'),
    TESSERA_TEST_CA_DIR: caDir,
  },
});
rmSync(caDir, { recursive: true, force: true });
process.exit(result.status ?? 1);

function findTests(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}
