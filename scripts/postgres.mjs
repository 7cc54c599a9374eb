// A throw-away PostgreSQL cluster for the tests: `start` creates and starts one on a free loopback
// port and prints its URL; `stop` stops it and removes every file it made. Both are idempotent, so
// CI can call `start` before the tests and `stop` in a trap.
//
//   node scripts/postgres.mjs start   →  postgres://tessera@127.0.0.1:<port>/postgres
//   node scripts/postgres.mjs stop
//   node scripts/postgres.mjs url     →  the running cluster's URL, or exit 1
//
// The state (URL, folder, binaries, user) goes to TESSERA_POSTGRES_STATE, else .postgres-test.json
// in the repository. PostgreSQL refuses to run as root: as root, the cluster runs as
// TESSERA_POSTGRES_USER (default `postgres`) through runuser. TESSERA_POSTGRES_BIN names the folder
// of initdb and pg_ctl when the newest /usr/lib/postgresql/<version>/bin is not the one wanted.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';

const root = resolve(import.meta.dirname, '..');
const stateFile = resolve(process.env.TESSERA_POSTGRES_STATE ?? join(root, '.postgres-test.json'));
/** The role initdb creates, with trust authentication: the tests own the whole cluster. */
const ROLE = 'tessera';
const PORT_ATTEMPTS = 3;

class UsageError extends Error {}

const commands = { start, stop, url };

try {
  const name = process.argv[2];
  const command = commands[name];
  if (!command) throw new UsageError(`usage: node scripts/postgres.mjs ${Object.keys(commands).join('|')}`);
  await command();
} catch (error) {
  process.stderr.write(`postgres.mjs: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
}

async function start() {
  const existing = readState();
  if (existing) {
    if (isRunning(existing) && (await accepts(existing.url))) {
      process.stdout.write(`${existing.url}\n`);
      return;
    }
    process.stderr.write(
      `postgres.mjs: the cluster in ${existing.dir} is not answering; starting a new one\n`,
    );
    removeCluster(existing);
  }
  const bin = binaries();
  const user = clusterUser();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  const state = { dir, data: join(dir, 'data'), socketDir: join(dir, 'socket'), bin, user, url: '' };
  try {
    mkdirSync(state.socketDir);
    if (user) for (const path of [dir, state.socketDir]) chownSync(path, user.uid, user.gid);
    run(state, 'initdb', [
      '--pgdata',
      state.data,
      '--username',
      ROLE,
      '--auth=trust',
      '--encoding=UTF8',
      // Byte order, like SQLite's BINARY collation; Tessera's own columns say so themselves too.
      '--locale=C',
      '--no-sync',
    ]);
    writeState(state);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      configure(state, port);
      try {
        run(state, 'pg_ctl', [
          '--pgdata',
          state.data,
          '--log',
          join(dir, 'postgres.log'),
          '--wait',
          '--timeout=60',
          'start',
        ]);
      } catch (error) {
        // Another process took the port between our probe and the server's bind: try another.
        if (attempt < PORT_ATTEMPTS && /could not bind|Address already in use/.test(logTail(state))) continue;
        throw new Error(`${error.message}\n--- server log ---\n${logTail(state)}`);
      }
      state.url = `postgres://${ROLE}@127.0.0.1:${port}/postgres`;
      break;
    }
    writeState(state);
    if (!(await accepts(state.url, 50)))
      throw new Error(`the server does not accept connections\n${logTail(state)}`);
  } catch (error) {
    removeCluster(state);
    throw error;
  }
  process.stdout.write(`${state.url}\n`);
}

function stop() {
  const state = readState();
  if (!state) {
    process.stderr.write('postgres.mjs: no test cluster is running\n');
    return;
  }
  removeCluster(state);
}

async function url() {
  const state = readState();
  if (!state || !isRunning(state) || !(await accepts(state.url)))
    throw new Error('no test cluster is running');
  process.stdout.write(`${state.url}\n`);
}

function readState() {
  if (!existsSync(stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch (error) {
    throw new Error(`${stateFile} is not a state file this script wrote (${error.message}); remove it`);
  }
}

function writeState(state) {
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Stops the server when it runs, then removes its folder and the state file. */
function removeCluster(state) {
  if (existsSync(join(state.data, 'postmaster.pid'))) {
    try {
      run(state, 'pg_ctl', ['--pgdata', state.data, '--mode=fast', '--wait', '--timeout=60', 'stop']);
    } catch (error) {
      // Already gone (a reboot, a kill): the folder is all that is left to remove.
      if (isRunning(state)) throw error;
    }
  }
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(stateFile, { force: true });
}

function isRunning(state) {
  try {
    run(state, 'pg_ctl', ['--pgdata', state.data, 'status']);
    return true;
  } catch {
    return false;
  }
}

function configure(state, port) {
  // Appended, so the last value wins when a port had to be chosen again.
  appendFileSync(
    join(state.data, 'postgresql.conf'),
    [
      '',
      '# tessera test cluster: loopback only, nothing made to survive a crash',
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${state.socketDir}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'shared_buffers = 32MB',
      // Several test files at once, each with its own servers and pools.
      'max_connections = 200',
      '',
    ].join('\n'),
  );
}

/** Runs a PostgreSQL binary, as the cluster's user when this process is root. */
function run(state, tool, args) {
  const program = join(state.bin, tool);
  const [file, argv] = state.user
    ? ['runuser', ['-u', state.user.name, '--', program, ...args]]
    : [program, args];
  try {
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: state.dir });
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new Error(`${tool} failed${output ? `:\n${output}` : ` (${error.message})`}`);
  }
}

function logTail(state) {
  const log = join(state.dir, 'postgres.log');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : '(no server log)';
}

function binaries() {
  const given = process.env.TESSERA_POSTGRES_BIN;
  const candidates = given
    ? [given]
    : [
        ...(existsSync('/usr/lib/postgresql')
          ? readdirSync('/usr/lib/postgresql')
              .filter((v) => /^\d+$/.test(v))
              .sort((a, b) => Number(b) - Number(a))
              .map((v) => `/usr/lib/postgresql/${v}/bin`)
          : []),
        '/usr/local/bin',
        '/usr/bin',
      ];
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      `no initdb and pg_ctl in ${candidates.join(', ')}: install PostgreSQL's server (Debian: postgresql) ` +
        'or set TESSERA_POSTGRES_BIN',
    );
  }
  return found;
}

/** PostgreSQL will not run as root: then the cluster belongs to an unprivileged user. */
function clusterUser() {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.TESSERA_POSTGRES_USER ?? 'postgres';
  let uid;
  let gid;
  try {
    uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    throw new Error(
      `running as root, and there is no user ${name} to run PostgreSQL as (it refuses root): ` +
        'create one or set TESSERA_POSTGRES_USER',
    );
  }
  if (uid === 0) throw new Error(`TESSERA_POSTGRES_USER must not be root (${name} is uid 0)`);
  return { name, uid, gid };
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether the server answers a query, trying for up to `attempts` × 100 ms. */
async function accepts(connectionString, attempts = 1) {
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      if (attempt >= attempts) return false;
      await sleep(100);
    } finally {
      await client.end().catch(() => {});
    }
  }
}
