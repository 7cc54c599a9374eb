// The test entry point. One local CA for the whole run, created before any test process starts,
// because Node reads NODE_EXTRA_CA_CERTS only at start-up and the SDKs must trust Tessera without
// TLS verification being switched off. Then the store engines: every test runs on SQLite, the
// embedded default, and store tests that take both engines run their PostgreSQL cases on a
// throw-away cluster this script starts (unless TESSERA_TEST_DATABASE_URL names one); then the
// suites that exercise the store through the server run a second time with every server on
// PostgreSQL (TESSERA_TEST_STORE=postgres). Without PostgreSQL's server binaries the PostgreSQL
// cases are skipped, each saying why.
//
//   node scripts/test.mjs                 everything, both engines
//   node scripts/test.mjs <files…>        those files, once, on the engine TESSERA_TEST_STORE names
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
// Per run, so two runs on one machine never share (or delete) each other's CA or cluster.
const runDir = mkdtempSync(join(tmpdir(), 'tessera-test-run-'));
const caDir = join(runDir, 'ca');

/**
 * The suites that reach the store through a server and the SDKs, run again on PostgreSQL. Suites
 * of browsers, encoders and the README walk do not depend on the engine beyond what these cover,
 * and the whole run must stay well under 20 minutes on two cores.
 */
const POSTGRES_SUITES = [
  'test/access',
  'test/directory',
  'test/graph',
  'test/authority',
  'test/appconfig',
  'test/identity',
  'test/management',
  'test/multinode',
];
// The files inside those folders that the engine cannot change: those that drive Chromium (the
// engine under them is the same as under their HTTP twins, and a browser costs more than the rest of
// a file), and those that never reach the store or reach it only through what their neighbours
// already cover on PostgreSQL (parsers, the condition language, request limits and shapes, token
// and page formats).
const SQLITE_ONLY = new RegExp(
  '/(' +
    [
      'authority/(deviceCodeCredential|interactiveMsal|interactiveSso|msalBrowserSpa|pagesLoginHint)',
      'authority/(discovery|errors|formLimits|idToken|pagesCsrf|pagesHeaders|v1Endpoint|authorizeRequests)',
      'access/(accessIndex|builtInRoles|condition[A-Za-z]+)',
      'appconfig/(filterSyntax|bodyDepth|bodyLimits|errors)',
      'graph/(bodyDepth|bodyLimits)',
      'management/(armPath|isGuid|apiVersion|bodyLimits|errors|forgedTokens|authentication)',
    ].join('|') +
    ')\\.test\\.ts$',
);
// Long files start first, so the run does not end with one of them alone on a core.
const LONG_FIRST = ['test/readme/', 'test/clients/', 'test/portal/', 'test/media/', 'test/multinode/'];
const order = (file) => {
  const at = LONG_FIRST.findIndex((prefix) => relative(root, file).startsWith(prefix));
  return at < 0 ? LONG_FIRST.length : at;
};

/**
 * Loading the server's modules through tsx costs a test process seconds of CPU, more than most
 * files' tests take (test/management's 26 files: 156 CPU-s in a process each, 55 in five), so in
 * a whole run these folders' files share processes, a few per process, one after another. Files
 * that change what a process holds (environment variables, an SDK's per-process choices, hooks
 * outside any suite), and the browser, client and multi-node folders, keep a process of their own.
 */
const SHARED_FOLDERS =
  /^test\/(access|appconfig|authority|cli|directory|graph|guard|management|media|net|server|store|tls)\//;
const OWN_PROCESS = new RegExp(
  '^test/(' +
    [
      'authority/(deviceCodeCredential|interactiveMsal|interactiveSso|msalBrowserSpa|pagesLoginHint)',
      'cli/(dataFolder|keys)',
      'media/(protection|notifications)',
      'tls/certificateAuthority',
    ].join('|') +
    ')\\.test\\.ts$',
);
const FILES_PER_PROCESS = 6;

const tsx = ['--import', 'tsx'];
let status = 0;
const failed = [];
// Each shared process's entry file, with the test files it imports.
const membersOf = new Map();
let cluster;
try {
  const made = spawnSync(process.execPath, [...tsx, join(root, 'test/support/makeCa.ts'), caDir], {
    stdio: 'inherit',
  });
  if (made.status !== 0) process.exit(made.status ?? 1);
  const env = {
    ...process.env,
    NODE_EXTRA_CA_CERTS: join(caDir, 'tls', 'ca.pem'),
    TESSERA_TEST_CA_DIR: caDir,
  };
  if (!env.TESSERA_TEST_DATABASE_URL) {
    cluster = startCluster();
    if (cluster) env.TESSERA_TEST_DATABASE_URL = cluster.url;
  }

  const only = process.argv.slice(2);
  if (only.length > 0) {
    status = runFiles(only, env);
  } else {
    const all = findTests(join(root, 'test'));
    status = runFiles(all, env, { shareProcesses: true, name: 'sqlite' });
    if (env.TESSERA_TEST_DATABASE_URL) {
      const again = all.filter(
        (file) =>
          POSTGRES_SUITES.some((suite) => relative(root, file).startsWith(`${suite}/`)) &&
          !SQLITE_ONLY.test(file),
      );
      console.log(`\n# the store's suites again, every server on PostgreSQL (${again.length} files)`);
      const second = runFiles(
        again,
        { ...env, TESSERA_TEST_STORE: 'postgres' },
        { shareProcesses: true, name: 'postgres' },
      );
      status = status || second;
    } else {
      console.log('\n# PostgreSQL: no server binaries here (Debian: postgresql); its cases were skipped');
    }
  }
  printFailures();
} finally {
  if (cluster) cluster.stop();
  rmSync(runDir, { recursive: true, force: true });
}
process.exit(status);

function runFiles(files, env, { shareProcesses = false, name = 'run' } = {}) {
  const sorted = [...files].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const entries = shareProcesses ? withSharedProcesses(sorted, name) : sorted;
  const failures = join(runDir, `${name}-failures.jsonl`);
  const reporters = [
    ['--test-reporter=tap', '--test-reporter-destination=stdout'],
    [
      `--test-reporter=${join(root, 'scripts/failureReporter.mjs')}`,
      `--test-reporter-destination=${failures}`,
    ],
  ].flat();
  const result = spawnSync(
    process.execPath,
    [...tsx, '--test', '--test-concurrency=2', ...reporters, ...entries],
    { stdio: 'inherit', env },
  );
  failed.push(...readFailures(failures, name));
  return result.status ?? 1;
}

/** The failures a run's reporter recorded, each with the run's name (sqlite, postgres). */
function readFailures(file, run) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ run, ...JSON.parse(line) }));
}

/** A failure's test file: for a shared process's entry, the member its stack names, or them all. */
function placeOf(file, message) {
  if (!file) return '?';
  const members = membersOf.get(file);
  if (!members) return relative(root, file);
  const named = members.find((member) => message.includes(member));
  return named
    ? relative(root, named)
    : `one of ${members.map((member) => relative(root, member)).join(' ')}`;
}

/** Every failure again, last, so that the tail of a long log names them all. */
function printFailures() {
  if (failed.length === 0) return;
  console.log(`\n# ${failed.length} failed test(s), repeated from above:`);
  for (const { run, file, path, message } of failed) {
    console.log(`# [${run}] ${placeOf(file, message)} > ${path.join(' > ')}`);
    for (const line of message.split('\n')) console.log(`#     ${line}`);
  }
}

/**
 * The files as the test runner gets them, in their order: the shareable ones replaced by entry
 * files that each import a few of them (named after their first member, and listed here so a
 * failure can be placed), each where its first member was.
 */
function withSharedProcesses(files, name) {
  const shareable = (file) => {
    const path = relative(root, file);
    return SHARED_FOLDERS.test(path) && !OWN_PROCESS.test(path);
  };
  const shared = files.filter(shareable);
  const entryOf = new Map();
  const dir = join(runDir, name);
  mkdirSync(dir, { recursive: true });
  for (let at = 0; at < shared.length; at += FILES_PER_PROCESS) {
    const members = shared.slice(at, at + FILES_PER_PROCESS);
    const first = relative(root, members[0])
      .replace(/^test\//, '')
      .replace(/\.test\.ts$/, '');
    const entry = join(dir, `${first.replaceAll('/', '-')}+${members.length - 1}.test.mjs`);
    writeFileSync(
      entry,
      members.map((file) => `import ${JSON.stringify(pathToFileURL(file).href)};\n`).join(''),
    );
    console.log(`# ${basename(entry)}: ${members.map((file) => relative(root, file)).join(' ')}`);
    entryOf.set(members[0], entry);
    membersOf.set(entry, members);
  }
  return files.flatMap((file) => (!shareable(file) ? [file] : entryOf.has(file) ? [entryOf.get(file)] : []));
}

/** A throw-away cluster for this run, or undefined (with a note) when PostgreSQL is not installed. */
function startCluster() {
  const script = join(root, 'scripts/postgres.mjs');
  const env = { ...process.env, TESSERA_POSTGRES_STATE: join(runDir, 'postgres.json') };
  const started = spawnSync(process.execPath, [script, 'start'], { env, encoding: 'utf8' });
  if (started.status !== 0) {
    console.log(`# PostgreSQL cases will be skipped: ${started.stderr.trim()}`);
    return undefined;
  }
  return {
    url: started.stdout.trim(),
    stop: () => spawnSync(process.execPath, [script, 'stop'], { env, stdio: 'inherit' }),
  };
}

function findTests(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}
