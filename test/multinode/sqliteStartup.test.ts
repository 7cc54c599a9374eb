import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Tessera } from '../../src/tessera.js';
import { harnessEngine } from '../support/database.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = ['--import', 'tsx', 'src/cli/tessera.cts'];

/** A CLI process: its exit code and what it printed. Never throws on a failing command. */
function tessera(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...entry, ...args], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe(
  'processes opening one new SQLite data folder at once',
  { skip: harnessEngine() === 'postgres' ? 'a SQLite case: it runs in the SQLite pass' : false },
  () => {
    let dataDir: string;
    before(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'tessera-race-'));
    });
    after(() => rmSync(dataDir, { recursive: true, force: true }));

    it('migrate and bootstrap one after the other: one tenant, one administrator, one signing key', async () => {
      const runs = await Promise.all([1, 2, 3].map(() => tessera(['keys', 'list', '--data', dataDir])));
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      // The folder's first command prints the administrator's password; exactly one ran first.
      assert.equal(runs.filter((run) => run.stderr.includes('Created the tenant')).length, 1);
      const listed = runs.map((run) =>
        (JSON.parse(run.stdout) as Array<{ kid: string }>).map((key) => key.kid),
      );
      assert.equal(new Set(listed.map((kids) => kids.join())).size, 1);
      assert.equal(listed[0]?.length, 1);
      const opened = await Tessera.open({ dataDir });
      try {
        const tenants = await opened.directory.tenants.list();
        assert.equal(tenants.length, 1);
        const users = await opened.db.selectFrom('users').select('user_principal_name').execute();
        assert.equal(users.length, 1);
      } finally {
        await opened.close();
      }
    });

    it('waits for a set-up under way: a tenant without its signing key is not a store set up yet', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'tessera-race-'));
      const first = await Tessera.open({ dataDir: folder });
      const second = await Tessera.open({ dataDir: folder });
      try {
        let answered = false;
        let waiting: Promise<unknown> | undefined;
        await first.exclusively(async () => {
          // The first steps of a bootstrap in another process, which holds the lock until its end.
          await first.directory.createTenant({ domain: 'race.onmicrosoft.com', displayName: 'Race' });
          waiting = second.bootstrap().then((created) => {
            answered = true;
            return created;
          });
          await sleep(300);
          assert.equal(answered, false, 'went on before the set-up ended');
          await first.keys.current();
        });
        assert.equal(await waiting, undefined, 'found the set-up done under the lock');
        assert.equal((await second.keys.published()).length, 1);
      } finally {
        await first.close();
        await second.close();
        rmSync(folder, { recursive: true, force: true });
      }
    });
  },
);
