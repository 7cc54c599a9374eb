import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { testDataDir } from '../support/server.js';
import { run } from '../../src/cli/program.js';
import { startIo } from './support.js';
import type { RbacOutput } from './support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The `tessera` bin, as npm installs it (compiled to dist/src/cli/tessera.cjs).
const entry = ['--import', 'tsx', 'src/cli/tessera.cts'];

/** Resolves once `text` appears on the child's stderr; rejects if it exits first. */
function waitForStderr(child: ReturnType<typeof spawn>, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve(seen);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing '${text}': ${seen}`)));
  });
}

describe('the tessera entry point and start', () => {
  let dataDir: string;
  before(() => {
    dataDir = testDataDir();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints create-for-rbac JSON on stdout', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...entry, 'ad', 'sp', 'create-for-rbac', '--name', 'x', '--data', dataDir],
      { cwd: root },
    );
    const out = JSON.parse(stdout) as RbacOutput;
    assert.equal(out.displayName, 'x');
    assert.match(out.appId, /^[0-9a-f-]{36}$/);
    assert.ok(out.password);
  });

  it('exits 1 with ERROR: on stderr when a command fails', async () => {
    const child = spawn(
      process.execPath,
      [...entry, 'ad', 'app', 'show', '--id', 'api://none', '--data', dataDir],
      {
        cwd: root,
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /^ERROR: Application 'api:\/\/none' does not exist/);
  });

  it('serves with `start`, logs JSON lines on stdout and stops cleanly on SIGTERM', async () => {
    const fresh = testDataDir();
    const child = spawn(process.execPath, [...entry, 'start', '--port', '0', '--data', fresh], { cwd: root });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const banner = await waitForStderr(child, 'tessera ad sp create-for-rbac --name myapp');
      const origin = /Authority host: +(https:\/\/\S+)/.exec(banner)?.[1];
      const tenantId = /Tenant: +(\S+) \(tessera\.onmicrosoft\.com\)/.exec(banner)?.[1];
      assert.ok(origin && tenantId, banner);
      assert.match(banner, /Subscription: +[0-9a-f-]{36}/);
      assert.match(banner, /Resource group: +tessera-rg/);
      assert.ok(banner.includes(`export NODE_EXTRA_CA_CERTS=${fresh}/tls/ca.pem`));

      const discovery = await fetch(`${origin}/${tenantId}/v2.0/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200);
      const exited = new Promise((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      child.kill('SIGTERM');
      assert.deepEqual(await exited, { code: 0, signal: null });
      const lines = stdout.trim().split('\n');
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
      assert.ok(lines.some((line) => line.includes('shutting down')));
      // The entry point sized libuv's pool for signing: one thread fewer than the cores.
      const sizing = lines.map((line) => JSON.parse(line) as { msg?: string; signingThreads?: number });
      assert.equal(
        sizing.find((line) => line.msg === 'token signing threads')?.signingThreads,
        Math.max(1, availableParallelism() - 1),
      );
    } finally {
      child.kill('SIGKILL');
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('prints the short banner on a later start, and stops when io.shutdown settles', async () => {
    const start = startIo('CA certificate:');
    const { io, banner } = start;
    // The folder was bootstrapped by the first test, so this is not a first start.
    const running = run(['start', '--port', '0', '--log-level', 'silent', '--data', dataDir], io);
    await banner;
    assert.match(
      start.stderr,
      /^Tessera is running\.\n {2}Authority host: +https:\/\/localhost:(\d+)\n {2}Portal: +https:\/\/localhost:\1\/portal\/\n {2}CA certificate: +\S+ca\.pem\n$/,
    );
    const origin = /Authority host: +(\S+)/.exec(start.stderr)?.[1];
    assert.equal((await fetch(`${origin}/common/v2.0/.well-known/openid-configuration`)).status, 200);
    start.stop();
    assert.equal(await running, 0);
  });
});
