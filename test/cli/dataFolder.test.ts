import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { run } from '../../src/cli/program.js';
import { recordServer, runningServer, serverInfoPath } from '../../src/cli/serverInfo.js';
import { DIRECTORY_ROLES } from '../../src/directory/directoryRoles.js';
import { Tessera } from '../../src/tessera.js';
import { testDataDir } from '../support/server.js';
import { cliFolder, runCli, startIo } from './support.js';

const AZURE_CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

/** HTTPS with one CA trusted: the server of a new data folder has a CA this process never trusted. */
function httpsJson(
  url: string,
  ca: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Whether the server at `port` presents a certificate `ca` verifies for localhost. */
function verifiedBy(port: number, ca: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
      resolve(socket.authorized);
      socket.end();
    });
    socket.on('error', reject);
  });
}

const allFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

describe('one data folder, ~/.tessera, for the server and the CLI', () => {
  const saved = { home: process.env.HOME, data: process.env.TESSERA_DATA, cwd: process.cwd() };
  let home: string;
  let elsewhere: string;
  let dataDir: string;
  before(() => {
    // node:test runs each file in its own process: HOME and the working directory are this file's.
    home = mkdtempSync(join(tmpdir(), 'tessera-home-'));
    elsewhere = mkdtempSync(join(tmpdir(), 'tessera-cwd-'));
    dataDir = join(home, '.tessera');
    process.env.HOME = home;
    delete process.env.TESSERA_DATA;
    process.chdir(elsewhere);
  });
  after(() => {
    process.chdir(saved.cwd);
    process.env.HOME = saved.home;
    if (saved.data !== undefined) process.env.TESSERA_DATA = saved.data;
    rmSync(home, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('refuses commands before the folder exists, naming it and how to create it, and creates nothing', async () => {
    for (const command of [['ca'], ['account', 'show'], ['ad', 'user', 'list'], ['keys', 'list']]) {
      const result = await runCli(command);
      assert.equal(result.code, 1, command.join(' '));
      assert.equal(
        result.stderr,
        `ERROR: There is no Tessera data folder at ${dataDir}. Create it by starting the server once ` +
          '(tessera start), or point --data or TESSERA_DATA at an existing one.\n',
      );
    }
    assert.equal(existsSync(dataDir), false);
  });

  it('starts on ~/.tessera, records where it listens, and the CLI elsewhere uses the same folder and CA', async () => {
    const start = startIo('--name myapp');
    const { io, banner } = start;
    const running = run(['start', '--port', '0', '--log-level', 'silent'], io);
    try {
      await Promise.race([
        banner,
        running.then((code) => Promise.reject(new Error(`start exited ${code}: ${start.stderr}`))),
      ]);
      const origin = /Authority host: +(\S+)/.exec(start.stderr)?.[1];
      const upn = /User: +(\S+)/.exec(start.stderr)?.[1];
      const password = /Password: +(\S+)/.exec(start.stderr)?.[1];
      const subscriptionId = /Subscription: +(\S+)/.exec(start.stderr)?.[1];
      assert.ok(origin && upn && password && subscriptionId, start.stderr);
      assert.equal(upn, 'admin@tessera.onmicrosoft.com');
      assert.match(start.stderr, /Global Administrator, Owner of the subscription/);
      assert.match(start.stderr, new RegExp(`CA certificate: +${dataDir}/tls/ca\\.pem`));

      // server.json: the real origin and port, this process, readable by the owner alone.
      const recorded = JSON.parse(readFileSync(serverInfoPath(dataDir), 'utf8')) as Record<string, unknown>;
      const port = Number(new URL(origin).port);
      assert.deepEqual(
        { ...recorded, startedAt: undefined },
        { origin, port, hostnames: [], pid: process.pid, startedAt: undefined },
      );
      assert.ok(Math.abs(Date.parse(String(recorded.startedAt)) - Date.now()) < 60_000);
      assert.equal(statSync(serverInfoPath(dataDir)).mode & 0o777, 0o600);
      assert.deepEqual(await runningServer(dataDir), recorded);

      // `tessera ca` from another folder: the file the server's certificate chains to, ending in a newline.
      const ca = await runCli(['ca']);
      assert.equal(ca.code, 0, ca.stderr);
      assert.equal(ca.stdout, `${join(dataDir, 'tls', 'ca.pem')}\n`);
      const caPem = readFileSync(ca.stdout.trim(), 'utf8');
      assert.ok(caPem.endsWith('-----END CERTIFICATE-----\n'));
      assert.equal(await verifiedBy(port, caPem), true);
      // The run's CA, which every other test server uses, is not the one this server presents.
      assert.notEqual(
        new X509Certificate(caPem).fingerprint256,
        new X509Certificate(readFileSync(String(process.env.NODE_EXTRA_CA_CERTS))).fingerprint256,
      );

      // The administrator signs in with the password shown once, and may use the subscription.
      const token = await httpsJson(`${origin}/tessera.onmicrosoft.com/oauth2/v2.0/token`, caPem, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: AZURE_CLI,
          username: upn,
          password,
          scope: 'https://management.azure.com/.default',
        }).toString(),
      });
      assert.equal(token.status, 200, JSON.stringify(token.body));
      const bearer = { authorization: `Bearer ${String(token.body.access_token)}` };
      const groups = await httpsJson(
        `${origin}/subscriptions/${subscriptionId}/resourcegroups?api-version=2021-04-01`,
        caPem,
        { headers: bearer },
      );
      assert.equal(groups.status, 200, JSON.stringify(groups.body));
      assert.deepEqual(
        (groups.body.value as Array<{ name: string }>).map((g) => g.name),
        ['tessera-rg'],
      );

      // -l defaults to the resource group's location; endpoints are those the server itself reports.
      const created = await runCli(['appconfig', 'create', '-n', 'home-settings', '-g', 'tessera-rg']);
      assert.equal(created.code, 0, created.stderr);
      assert.equal((JSON.parse(created.stdout) as { location: string }).location, 'westus');
      const keys = await runCli(['appconfig', 'credential', 'list', '-n', 'home-settings']);
      assert.equal(keys.code, 0, keys.stderr);
      const store = await httpsJson(
        `${origin}/subscriptions/${subscriptionId}/resourceGroups/tessera-rg/providers/` +
          'Microsoft.AppConfiguration/configurationStores/home-settings?api-version=2023-03-01',
        caPem,
        { headers: bearer },
      );
      assert.equal(store.status, 200, JSON.stringify(store.body));
      const endpoint = (store.body.properties as { endpoint: string }).endpoint;
      assert.doesNotMatch(endpoint, /:8443\b/);
      for (const key of JSON.parse(keys.stdout) as Array<{ connectionString: string }>) {
        assert.ok(key.connectionString.startsWith(`Endpoint=${endpoint};`), key.connectionString);
      }
      const media = await runCli(['media', 'account', 'create', '-n', 'homevideos', '-g', 'tessera-rg']);
      assert.equal(media.code, 0, media.stderr);
      assert.equal((JSON.parse(media.stdout) as { location: string }).location, 'westus');

      // The password is nowhere in the folder: only its hash is.
      for (const file of allFiles(dataDir)) {
        assert.equal(readFileSync(file).includes(password), false, file);
      }
      const tessera = await Tessera.open({ dataDir });
      try {
        const tenant = await tessera.defaultTenant();
        const admin = await tessera.directory.users.findByUpn(tenant.id, upn);
        assert.ok(admin);
        assert.deepEqual(
          await tessera.directory.directoryRoles.membersOf(tenant.id, DIRECTORY_ROLES.globalAdministrator.id),
          [admin.objectId],
        );
        const [owner] = await tessera.roleAssignments.list({ principalId: admin.objectId });
        assert.equal(owner?.scope, `/subscriptions/${subscriptionId}`);
        assert.equal(owner.principalType, 'User');
      } finally {
        await tessera.close();
      }
    } finally {
      start.stop();
    }
    assert.equal(await running, 0);
    assert.equal(existsSync(serverInfoPath(dataDir)), false);
    assert.equal(await runningServer(dataDir), undefined);
  });

  it('a later start does not print the password again', async () => {
    let stop = (): void => undefined;
    const shutdown = new Promise<void>((resolve) => (stop = resolve));
    let stderr = '';
    let listening = (): void => undefined;
    const banner = new Promise<void>((resolve) => (listening = resolve));
    const running = run(['start', '--port', '0', '--log-level', 'silent'], {
      stdout: { write: () => true },
      stderr: {
        write: (chunk: string) => {
          stderr += chunk;
          if (stderr.includes('CA certificate:')) listening();
          return true;
        },
      },
      shutdown,
    });
    await Promise.race([banner, running.then((code) => Promise.reject(new Error(`exited ${code}`)))]);
    stop();
    assert.equal(await running, 0);
    assert.doesNotMatch(stderr, /Password|admin@/);
  });
});

describe('--data that is missing or not a folder', () => {
  it('names the folder and repeats --data in the suggested command', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tessera-missing-'));
    try {
      const missing = join(parent, 'nowhere');
      const result = await runCli(['ad', 'sp', 'list', '--data', missing]);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `ERROR: There is no Tessera data folder at ${missing}. Create it by starting the server once ` +
          `(tessera start --data "${missing}"), or point --data or TESSERA_DATA at an existing one.\n`,
      );
      assert.equal(existsSync(missing), false);
      const file = join(parent, 'file');
      writeFileSync(file, '');
      const notFolder = await runCli(['keys', 'list', '--data', file]);
      assert.equal(notFolder.code, 1);
      assert.equal(notFolder.stderr, `ERROR: The Tessera data folder ${file} is not a folder.\n`);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('a folder that exists but was never opened', () => {
  it('gets its tenant and administrator from the first CLI command, which prints the password once', async () => {
    const f = cliFolder();
    try {
      const first = await f.cli('ad user list');
      assert.equal(first.code, 0, first.stderr);
      const password = /Password: +(\S+)/.exec(first.stderr)?.[1];
      assert.ok(password, first.stderr);
      assert.match(first.stderr, new RegExp(`in the new data folder ${f.dataDir}\\.`));
      assert.deepEqual(
        (JSON.parse(first.stdout) as Array<{ userPrincipalName: string }>).map((u) => u.userPrincipalName),
        ['admin@tessera.onmicrosoft.com'],
      );
      const second = await f.cli('ad user list');
      assert.equal(second.stderr, '');
    } finally {
      f.remove();
    }
  });
});

describe('server.json', () => {
  let dataDir: string;
  before(() => {
    dataDir = testDataDir();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('names no running server when its process is gone or the file is not a record', async () => {
    const exited = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((resolve) =>
      exited.once('exit', () => resolve(exited.pid ?? 0)),
    );
    const record = {
      origin: 'https://localhost:9443',
      port: 9443,
      hostnames: [],
      startedAt: '2026-01-01T00:00:00Z',
    };
    writeFileSync(serverInfoPath(dataDir), JSON.stringify({ ...record, pid: deadPid }));
    assert.equal(await runningServer(dataDir), undefined);
    writeFileSync(serverInfoPath(dataDir), JSON.stringify({ ...record, pid: process.pid }));
    assert.deepEqual(await runningServer(dataDir), { ...record, pid: process.pid });
    for (const broken of ['{', '[]', JSON.stringify({ ...record, pid: process.pid, origin: 'nope' })]) {
      writeFileSync(serverInfoPath(dataDir), broken);
      assert.equal(await runningServer(dataDir), undefined, broken);
    }
  });

  it("a server's record is removed when it stops, unless another server has replaced it", async () => {
    const first = await recordServer(dataDir, { origin: 'https://localhost:1111', port: 1111 });
    await first.remove();
    assert.equal(existsSync(serverInfoPath(dataDir)), false);
    const older = await recordServer(dataDir, { origin: 'https://localhost:2222', port: 2222 });
    const newer = await recordServer(dataDir, { origin: 'https://localhost:3333', port: 3333 });
    await older.remove();
    assert.equal((await runningServer(dataDir))?.port, 3333);
    await newer.remove();
    assert.equal(existsSync(serverInfoPath(dataDir)), false);
  });
});

describe('ca.pem', () => {
  it('gets its final newline back when an earlier release wrote it without one', async () => {
    const dataDir = testDataDir();
    try {
      const file = join(dataDir, 'tls', 'ca.pem');
      const original = readFileSync(file, 'utf8');
      writeFileSync(file, original.trimEnd());
      const result = await runCli(['ca', '--data', dataDir]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(readFileSync(file, 'utf8'), `${original.trimEnd()}\n`);
      // Appending another certificate now makes a valid bundle.
      const bundle = join(dataDir, 'bundle.pem');
      copyFileSync(file, bundle);
      writeFileSync(bundle, readFileSync(file, 'utf8'), { flag: 'a' });
      assert.equal(readFileSync(bundle, 'utf8').match(/^-----BEGIN CERTIFICATE-----$/gm)?.length, 2);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
