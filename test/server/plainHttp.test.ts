import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

describe('HTTPS only', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  it('never answers a plain-HTTP request: bearer tokens must not travel in clear text', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: t.server.port,
          path: `/subscriptions?api-version=2022-12-01`,
          headers: { authorization: 'Bearer not-a-real-token' },
        },
        (res) => resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(`refused: ${error.code ?? error.message}`));
      req.setTimeout(5000, () => req.destroy(new Error('timeout')));
      req.end();
    });
    assert.match(outcome, /^refused: (ECONNRESET|EPIPE|socket hang up)/);
  });
});
