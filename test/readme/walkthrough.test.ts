/**
 * README.md walked from top to bottom: every ```sh block runs as written, in order, the way a new
 * user would run them in one terminal — so a README example that stops working fails here.
 *
 * How the walk runs a block (markers are described in shBlocks.ts):
 * - In a new `bash -e -o pipefail`, from a scratch folder outside the checkout (`checkout` blocks:
 *   in the checkout), with a fresh HOME, so `~/.tessera` is a new data folder and nothing of this
 *   machine's own (az profile, npm config) is used. Variables a block exports carry over to the
 *   blocks after it, as they would in a terminal. PATH is the test's without node_modules/.bin
 *   (npm puts it there for `npm test`; a reader's shell has no such thing).
 * - `npm install --global` installs into a throw-away prefix (npm_config_prefix, whose bin comes
 *   first on PATH), never into this machine's global folder.
 * - `npm ci`: this test runs inside the checkout that `npm ci` produced — its node_modules hold the
 *   test runner itself — and running it again would delete them under the running test. A block's
 *   leading `npm ci && ` is therefore not run; the walk checks instead that node_modules was
 *   installed by npm from package-lock.json (node_modules/.package-lock.json, which npm ci writes).
 *   Any other `npm ci` in a block fails the walk, so a new one is noticed.
 * - The port, the one substitution: the README's server listens on https://localhost:8443. The
 *   walk's listens on a free port instead (TESSERA_PORT=0), so it never meets a server already
 *   running on this machine or another test's; once it listens, `localhost:8443` in later blocks
 *   reads `localhost:<its port>`, taken from the server.json it writes.
 * - Network: every proxy variable points at a closed loopback port (NO_PROXY=localhost,127.0.0.1),
 *   so a block that reaches for a public host fails at once instead of leaving the machine.
 *
 * To opt a block out, precede it with `<!-- readme-walk: skip (the reason) -->`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { runningServer } from '../../src/cli/serverInfo.js';
import type { ServerInfo } from '../../src/cli/serverInfo.js';
import { shBlocks } from './shBlocks.js';
import type { ShBlock } from './shBlocks.js';

const checkout = fileURLToPath(new URL('../../', import.meta.url));
const README_ORIGIN = 'localhost:8443';
const CHECKOUT_INSTALL = 'npm ci && ';
const CLOSED_PROXY = 'http://127.0.0.1:9';
const BLOCK_TIMEOUT_MS = 120_000;
// A server block builds first: a full compile takes a while on a busy machine.
const SERVER_START_TIMEOUT_MS = 300_000;

const blocks = shBlocks(readFileSync(join(checkout, 'README.md'), 'utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Run {
  // Its own process group, so the whole block (npm, its shells, node) can be stopped together.
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env, detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** What a reader's new terminal would have: the basics of this one, a fresh HOME, no test settings. */
function freshEnvironment(home: string, prefix: string): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !dir.includes('node_modules/.bin'));
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['LANG', 'LC_ALL', 'TMPDIR', 'USER', 'LOGNAME', 'SHELL', 'TERM']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  const proxies = ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy', 'ALL_PROXY', 'all_proxy'];
  return {
    ...env,
    PATH: [join(prefix, 'bin'), dirname(process.execPath), ...path].join(delimiter),
    HOME: home,
    npm_config_prefix: prefix,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    TESSERA_PORT: '0',
    ...Object.fromEntries(proxies.map((name) => [name, CLOSED_PROXY])),
    NO_PROXY: 'localhost,127.0.0.1',
    no_proxy: 'localhost,127.0.0.1',
  };
}

/** The environment a block left behind (`env -0`), minus what bash sets for itself. */
function readEnvironment(file: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of readFileSync(file, 'utf8').split('\0')) {
    const at = entry.indexOf('=');
    const name = entry.slice(0, at);
    if (at > 0 && !['PWD', 'OLDPWD', 'SHLVL', '_'].includes(name)) env[name] = entry.slice(at + 1);
  }
  return env;
}

function asWritten(block: ShBlock, port: number | undefined): string {
  let script = block.script;
  if (script.startsWith(CHECKOUT_INSTALL)) {
    assert.ok(
      existsSync(join(checkout, 'node_modules', '.package-lock.json')),
      'node_modules was not installed by npm from package-lock.json',
    );
    script = script.slice(CHECKOUT_INSTALL.length);
  }
  assert.doesNotMatch(script, /\bnpm ci\b/, 'the walk can only stand in for a leading `npm ci && `');
  return port === undefined ? script : script.replaceAll(README_ORIGIN, `localhost:${port}`);
}

describe('README.md, walked from top to bottom', () => {
  const home = mkdtempSync(join(tmpdir(), 'readme-home-'));
  const scratch = mkdtempSync(join(tmpdir(), 'readme-cwd-'));
  const prefix = mkdtempSync(join(tmpdir(), 'readme-npm-prefix-'));
  const envFiles = mkdtempSync(join(tmpdir(), 'readme-env-'));
  const dataDir = join(home, '.tessera');
  let env = freshEnvironment(home, prefix);
  let server: Run | undefined;
  let serverInfo: ServerInfo | undefined;
  const running = new Set<Run>();

  after(async () => {
    for (const run of running) stopGroup(run.child, 'SIGKILL');
    if (server) {
      stopGroup(server.child, 'SIGKILL');
      await server.exited;
    }
    for (const dir of [home, scratch, prefix, envFiles]) rmSync(dir, { recursive: true, force: true });
  });

  async function startServer(block: ShBlock): Promise<void> {
    assert.equal(server, undefined, `line ${block.line}: the README starts a second server`);
    const started = bash(asWritten(block, undefined), block.checkout ? checkout : scratch, env);
    server = started;
    let exitCode: number | null | undefined;
    void started.exited.then((code) => (exitCode = code));
    for (let waited = 0; waited < SERVER_START_TIMEOUT_MS; waited += 200) {
      serverInfo = await runningServer(dataDir);
      if (serverInfo) return;
      assert.equal(exitCode, undefined, `the server exited with ${exitCode}:\n${started.output()}`);
      await sleep(200);
    }
    assert.fail(`the server did not listen within ${SERVER_START_TIMEOUT_MS / 1000} s:\n${started.output()}`);
  }

  async function runBlock(block: ShBlock): Promise<void> {
    const envFile = join(envFiles, `after-line-${block.line}`);
    const script = asWritten(block, serverInfo?.port);
    const run = bash(
      `${script}\nenv -0 > ${JSON.stringify(envFile)}`,
      block.checkout ? checkout : scratch,
      env,
    );
    running.add(run);
    const timer = setTimeout(() => stopGroup(run.child, 'SIGKILL'), BLOCK_TIMEOUT_MS);
    const code = await run.exited;
    clearTimeout(timer);
    running.delete(run);
    assert.equal(code, 0, `exit ${code} from:\n${script}\n--- output\n${run.output()}`);
    env = readEnvironment(envFile);
  }

  for (const block of blocks) {
    const title = `line ${block.line}: ${block.script.split('\n')[0]}`;
    if (block.skip !== undefined) {
      it(title, { skip: block.skip }, () => undefined);
    } else {
      it(
        title,
        { timeout: block.server ? SERVER_START_TIMEOUT_MS + 10_000 : BLOCK_TIMEOUT_MS + 10_000 },
        () => (block.server ? startServer(block) : runBlock(block)),
      );
    }
  }

  it('the server the README started stops on SIGTERM and removes its server.json', async () => {
    assert.ok(server && serverInfo, 'the README starts no server');
    stopGroup(server.child, 'SIGTERM');
    await server.exited;
    for (let i = 0; i < 100 && existsSync(join(dataDir, 'server.json')); i++) await sleep(100);
    assert.equal(existsSync(join(dataDir, 'server.json')), false, server.output());
    server = undefined;
  });
});

describe('the README walk markers', () => {
  it('reads checkout, server and skip (reason), and refuses anything else', () => {
    const parsed = shBlocks(
      [
        '<!-- readme-walk: checkout, server -->',
        '',
        '```sh',
        'npm start',
        '```',
        '1. Step',
        '   <!-- readme-walk: skip (needs your own file) -->',
        '   ```sh',
        '   cat mine.txt',
        '   ```',
        '```sh',
        'echo plain',
        '```',
      ].join('\n'),
    );
    assert.deepEqual(parsed, [
      { line: 3, script: 'npm start', checkout: true, server: true },
      { line: 8, script: 'cat mine.txt', checkout: false, server: false, skip: 'needs your own file' },
      { line: 11, script: 'echo plain', checkout: false, server: false },
    ]);
    assert.throws(() => shBlocks('<!-- readme-walk: chekout -->\n```sh\nls\n```'), /unknown .* 'chekout'/);
    assert.throws(() => shBlocks('<!-- readme-walk: skip -->\n```sh\nls\n```'), /unknown .* 'skip'/);
    assert.throws(() => shBlocks('```sh\nls\n'), /never closed/);
  });
});
