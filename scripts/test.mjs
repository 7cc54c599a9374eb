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
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

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
      'authority/(deviceCodeCredential|interactiveMsal|interactiveSso|pagesLoginHint)',
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

const tsx = ['--import', 'tsx'];
let status = 0;
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
    status = runFiles(all, env);
    if (env.TESSERA_TEST_DATABASE_URL) {
      const again = all.filter(
        (file) =>
          POSTGRES_SUITES.some((suite) => relative(root, file).startsWith(`${suite}/`)) &&
          !SQLITE_ONLY.test(file),
      );
      console.log(`\n# the store's suites again, every server on PostgreSQL (${again.length} files)`);
      const second = runFiles(again, { ...env, TESSERA_TEST_STORE: 'postgres' });
      status = status || second;
    } else {
      console.log('\n# PostgreSQL: no server binaries here (Debian: postgresql); its cases were skipped');
    }
  }
} finally {
  if (cluster) cluster.stop();
  rmSync(runDir, { recursive: true, force: true });
}
process.exit(status);

function runFiles(files, env) {
  const result = spawnSync(
    process.execPath,
    [
      ...tsx,
      '--test',
      '--test-concurrency=2',
      ...[...files].sort((a, b) => order(a) - order(b) || a.localeCompare(b)),
    ],
    {
      stdio: 'inherit',
      env,
    },
  );
  return result.status ?? 1;
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
