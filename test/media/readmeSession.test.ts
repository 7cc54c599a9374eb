import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { MediaFixture } from './support.js';
import { makeClip, media, mediaCaller, startMedia } from './support.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** By path: the script runs from the reader's folder, where `tsx` alone would not resolve. */
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The TypeScript block of the README's Media Services section, exactly as a reader copies it. */
function readmeSession(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Media Services v2'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('the README has no TypeScript block in its Media Services section');
  return block;
}

describe('README: the Media Services v2 session with a service principal', () => {
  let f: MediaFixture;
  let work: string;

  before(async () => {
    f = await startMedia('videos');
    work = mkdtempSync(join(tmpdir(), 'tessera-readme-'));
    copyFileSync(makeClip({ seconds: 2 }), join(work, 'movie.mp4'));
  });
  after(async () => {
    await f.t.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('runs as written and prints an HLS URL that plays', async () => {
    const caller = await mediaCaller(f, { displayName: 'encoder', role: 'Contributor' });
    // The reader's own values, and the test server's origin where the README says localhost:8443.
    const prelude = [
      `const tenantId = ${JSON.stringify(f.t.tenant.id)};`,
      `const appId = ${JSON.stringify(caller.application.appId)};`,
      `const password = ${JSON.stringify(caller.secret)};`,
    ].join('\n');
    const code = readmeSession().replaceAll('https://localhost:8443', f.t.origin);
    // Inside the checkout, so the script resolves @azure/identity as a reader's project would.
    const dir = join(ROOT, 'node_modules', '.cache', 'tessera-readme');
    mkdirSync(dir, { recursive: true });
    const script = join(dir, `session-${process.pid}.mts`);
    writeFileSync(script, `${prelude}\n${code}`);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX, script], {
        cwd: work,
        env: process.env,
        timeout: 120_000,
      });
      const url = stdout.trim().split('\n').at(-1) ?? '';
      assert.match(
        url,
        /^https:\/\/localhost:\d+\/media\/videos\/streaming\/[0-9a-f-]{36}\/.+\.ism\/manifest\(format=m3u8-aapl\)$/,
      );
      const playlist = await fetch(url);
      assert.equal(playlist.status, 200);
      assert.match(await playlist.text(), /^#EXTM3U/);
      const { stdout: probed } = await promisify(execFile)('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'format=duration',
        '-of',
        'csv=p=0',
        url,
      ]);
      assert.ok(Math.abs(Number(probed.trim()) - 2) < 0.6, probed);
      const assets = await media<{ value: unknown[] }>(f, caller.token, 'GET', 'Assets');
      assert.equal(assets.json.value.length, 2, 'the upload and the encoded output');
    } finally {
      rmSync(script, { force: true });
    }
  });
});
