import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PIECE_SIZE } from '../../src/net/jsonBody.js';
import { headersOnly } from '../support/headersOnly.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { endlessChunkedBody } from '../net/chunkedBody.js';
import type { GraphResponse, GraphUser } from './support.js';
import { expectGraphError, expectOk, graph, graphUser } from './support.js';

const FOUR_MIB = 4 * 1024 * 1024;
const TOO_LARGE = `The request body exceeds the limit of ${FOUR_MIB} bytes.`;
const UNREADABLE =
  'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.';

const asGraph = (response: { status: number; headers: Headers; text: string }): GraphResponse => ({
  ...response,
  json: response.text.startsWith('{') ? (JSON.parse(response.text) as Record<string, unknown>) : {},
});

describe('Microsoft Graph bounds request bodies', { timeout: 120_000 }, () => {
  let t: TestServer;
  let admin: GraphUser;

  before(async () => {
    t = await startTestServer();
    admin = await graphUser(t, 'ga', ['globalAdministrator']);
  });
  after(() => t.stop());

  test('a Content-Length over 4 MiB is Graph’s 413, answered without reading the body', async () => {
    const response = await headersOnly(`${t.origin}/v1.0/applications`, 'POST', {
      authorization: `Bearer ${admin.token}`,
      contentLength: FOUR_MIB + 1,
    });
    expectGraphError(asGraph(response), 413, 'Request_EntityTooLarge', TOO_LARGE);
  });

  test('a chunked body is cut off at 4 MiB with Graph’s 413', async () => {
    const response = await endlessChunkedBody(`${t.origin}/v1.0/applications`, 'POST', {
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    });
    expectGraphError(asGraph(response), 413, 'Request_EntityTooLarge', TOO_LARGE);
    assert.equal(response.headers.get('connection'), 'close');
  });

  test('a large allowed body is parsed in pieces, with the inline parse’s value', async () => {
    // OData annotations are accepted and dropped: they make the body large without changing the app.
    const padding = Array.from({ length: 40_000 }, (_, i) => ({ i, s: `annotation ${i}` }));
    const body = `{"@odata.padding":${JSON.stringify(padding)},"displayName":"large body","identifierUris":[]}`;
    assert.ok(body.length > 1024 * 1024 && body.length < FOUR_MIB);
    const original = JSON.parse;
    let wholeParses = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (typeof text === 'string' && text.length > 4 * PIECE_SIZE) wholeParses++;
      return original(text, reviver);
    }) as typeof JSON.parse;
    let created: GraphResponse;
    try {
      created = await graph(t, admin.token, 'POST', 'applications', { body });
    } finally {
      JSON.parse = original;
    }
    assert.equal(expectOk(created, 201).displayName, 'large body');
    assert.equal(wholeParses, 0, 'the whole body was parsed on the event loop');
  });

  test('a 4 MiB deeply nested body is the unreadable-payload 400', async () => {
    const half = (FOUR_MIB - 64) / 2;
    const body = `{"displayName":"deep","x":${'['.repeat(half)}${']'.repeat(half)}}`;
    expectGraphError(
      await graph(t, admin.token, 'POST', 'applications', { body }),
      400,
      'BadRequest',
      UNREADABLE,
    );
  });
});
