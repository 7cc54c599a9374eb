import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/program.js';
import { runCli, startIo } from '../cli/support.js';
import { launchBrowser, screenshot, signInOnPage } from '../support/browser.js';
import type { TestBrowser } from '../support/browser.js';
import { testDataDir } from '../support/server.js';
import { ensurePortalBuilt } from './portalBuild.js';

// A reserved name (RFC 6761 .test): Chromium is told it is 127.0.0.1, nothing resolves it otherwise.
const PORTAL_HOST = 'portal.tessera.test';

interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

/** A GET to the server on 127.0.0.1 as if by `host` (TLS name and Host header). */
function getAs(port: number, host: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, servername: host, headers: { host: `${host}:${port}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('tessera start --portal-hostname', () => {
  const dataDir = testDataDir();
  const start = startIo('--name myapp');
  let running: Promise<number>;
  let port: number;
  let upn: string;
  let password: string;
  let browser: TestBrowser | undefined;

  before(async () => {
    await ensurePortalBuilt();
    running = run(
      ['start', '--port', '0', '--log-level', 'silent', '--portal-hostname', PORTAL_HOST, '--data', dataDir],
      start.io,
    );
    await Promise.race([
      start.banner,
      running.then((code) => Promise.reject(new Error(`start exited ${code}: ${start.stderr}`))),
    ]);
    const origin = /Authority host: +(\S+)/.exec(start.stderr)?.[1];
    upn = /User: +(\S+)/.exec(start.stderr)?.[1] ?? '';
    password = /Password: +(\S+)/.exec(start.stderr)?.[1] ?? '';
    assert.ok(origin && upn && password, start.stderr);
    port = Number(new URL(origin).port);
  });
  after(async () => {
    await browser?.close();
    start.stop();
    await running;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints where the portal is', () => {
    assert.match(
      start.stderr,
      new RegExp(`Portal: +https://${PORTAL_HOST.replaceAll('.', '\\.')}:${port}/\\n`),
    );
  });

  it("opens the portal at the name's root, with a certificate for the name, and nowhere else", async () => {
    // Node checks the certificate against the name (and trusts the run's CA): the name is on it.
    const root = await getAs(port, PORTAL_HOST, '/');
    assert.equal(root.status, 302);
    assert.equal(root.location, '/portal/');
    const upper = await getAs(port, PORTAL_HOST.toUpperCase(), '/');
    assert.equal(upper.status, 302);
    const app = await getAs(port, PORTAL_HOST, '/portal/');
    assert.equal(app.status, 200);
    assert.match(app.body, /<div id="app">/);
    // The server's other names keep their root as it was.
    const other = await getAs(port, 'localhost', '/');
    assert.equal(other.status, 404);
    // The APIs answer on the portal's name too: it calls them on the origin it came from.
    const metadata = await getAs(port, PORTAL_HOST, '/organizations/v2.0/.well-known/openid-configuration');
    assert.equal(metadata.status, 200);
    assert.match(metadata.body, new RegExp(`https://${PORTAL_HOST.replaceAll('.', '\\.')}:${port}/`));
  });

  it('signs a person in on the portal name: its redirect URI is one of the server’s own', async () => {
    browser = await launchBrowser({ dataDir }, [`--host-resolver-rules=MAP ${PORTAL_HOST} 127.0.0.1`]);
    const { page } = browser;
    await page.goto(`https://${PORTAL_HOST}:${port}/`);
    await signInOnPage(page, upn, password);
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).host, `${PORTAL_HOST}:${port}`);
    await screenshot(page, 'portal/portal-hostname-home');
  });

  it('refuses a name no certificate could carry', async () => {
    const result = await runCli([
      'start',
      '--port',
      '0',
      '--portal-hostname',
      'not_a name',
      '--data',
      dataDir,
    ]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /'not_a name' is not a DNS name\./);
  });
});
