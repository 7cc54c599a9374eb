import { after, before, describe, test } from 'node:test';
import { MAX_JSON_DEPTH } from '../../src/net/jsonDepth.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import type { GraphUser } from './support.js';
import { expectGraphError, expectOk, graph, graphUser } from './support.js';

const UNREADABLE =
  'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.';

describe('Microsoft Graph bounds JSON nesting before parsing', () => {
  let t: TestServer;
  let admin: GraphUser;

  before(async () => {
    t = await startTestServer();
    admin = await graphUser(t, 'ga', ['globalAdministrator']);
  });
  after(() => t.stop());

  const nested = (depth: number) => `${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}`;

  test(`a body nested deeper than ${MAX_JSON_DEPTH} is Graph's unreadable-payload 400`, async () => {
    for (const depth of [MAX_JSON_DEPTH + 1, 1_000_000]) {
      const body = `{"displayName":"deep","tags":${nested(depth)}}`;
      expectGraphError(
        await graph(t, admin.token, 'POST', 'applications', { body }),
        400,
        'BadRequest',
        UNREADABLE,
      );
    }
    expectOk(
      await graph(t, admin.token, 'POST', 'applications', {
        body: { displayName: '[[[[' + '['.repeat(100) },
      }),
      201,
    );
  });
});
