import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '../../src/net/jsonDepth.js';
import { PIECE_SIZE } from '../../src/net/jsonBody.js';
import { headersOnly } from '../support/headersOnly.js';
import type { TestServer } from '../support/server.js';
import { endlessChunkedBody } from '../net/chunkedBody.js';
import { API, arm, expectArmError, startArmAsOwner } from './support.js';
import type { ArmFixture, ArmResponse } from './support.js';
import { largeParsesDuring } from '../support/jsonParses.js';

const FOUR_MIB = 4 * 1024 * 1024;
const KEY_ACTION_LIMIT = 4 * 1024;
const tooLarge = (limit: number) => `The request content size exceeds the maximum of ${limit} bytes.`;

const asArm = (response: { status: number; headers: Headers; text: string }): ArmResponse => ({
  ...response,
  json: response.text === '' ? undefined : (JSON.parse(response.text) as unknown),
});

describe('ARM bounds each operation’s body', { timeout: 120_000 }, () => {
  let t: TestServer;
  let f: ArmFixture;
  let token: string;
  let storeId: string;

  before(async () => {
    ({ t, f, token } = await startArmAsOwner());
    storeId = `${f.groupScope}/providers/Microsoft.AppConfiguration/configurationStores/limits-store`;
    const created = await arm(t, 'PUT', `${storeId}?${API.configurationStores}`, {
      token,
      body: { location: 'westus', sku: { name: 'standard' } },
    });
    assert.equal(created.status, 201, created.text);
  });
  after(async () => t.stop());

  const groupPath = (name: string) => `${f.subscriptionScope}/resourcegroups/${name}?${API.resourceGroups}`;
  const keyAction = (action: string) => `${t.origin}${storeId}/${action}?${API.configurationStores}`;

  it('refuses a listKeys Content-Length over its own limit without reading the body', async () => {
    const response = await headersOnly(keyAction('listKeys'), 'POST', {
      authorization: `Bearer ${token}`,
      contentLength: KEY_ACTION_LIMIT + 1,
    });
    expectArmError(asArm(response), 413, 'RequestEntityTooLarge', tooLarge(KEY_ACTION_LIMIT));
    assert.equal(response.headers.get('connection'), 'close');
  });

  it('refuses a regenerateKey body over its own limit, sent or chunked', async () => {
    const body = JSON.stringify({ id: 'x'.repeat(KEY_ACTION_LIMIT) });
    const sent = await arm(t, 'POST', `${storeId}/regenerateKey?${API.configurationStores}`, { token, body });
    expectArmError(sent, 413, 'RequestEntityTooLarge', tooLarge(KEY_ACTION_LIMIT));

    const chunked = await endlessChunkedBody(keyAction('regenerateKey'), 'POST', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expectArmError(asArm(chunked), 413, 'RequestEntityTooLarge', tooLarge(KEY_ACTION_LIMIT));
    assert.equal(chunked.headers.get('connection'), 'close');

    // Within the limit the operation runs as before (an unknown key id is its own 4xx, not a 413).
    const listed = await arm(t, 'POST', `${storeId}/listKeys?${API.configurationStores}`, { token });
    assert.equal(listed.status, 200, listed.text);
  });

  it('cuts a chunked body off at ARM’s 4 MiB for operations that declare nothing', async () => {
    const chunked = await endlessChunkedBody(`${t.origin}${groupPath('chunked')}`, 'PUT', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expectArmError(asArm(chunked), 413, 'RequestEntityTooLarge', tooLarge(FOUR_MIB));
    assert.ok(chunked.sent < 256 * 1024 * 1024, 'the whole body was read before the answer');
  });

  it('parses a large allowed body in pieces, with the value the inline parse gives', async () => {
    const filler = Array.from({ length: 30_000 }, (_, i) => ({ index: i, text: `filler ${i}`, ok: true }));
    // Tags last, so they arrive in a piece of their own; `__proto__` is dropped as ARM's reviver does.
    const body = `{"location":"westus","properties":{"filler":${JSON.stringify(filler)}},"tags":{"env":"big","__proto__":{"x":"y"}}}`;
    assert.ok(body.length > 1024 * 1024);
    const { result, parses } = await largeParsesDuring(4 * PIECE_SIZE, () =>
      arm<{ tags: Record<string, string>; location: string }>(t, 'PUT', groupPath('big-body'), {
        token,
        body,
      }),
    );
    assert.equal(result.status, 201, result.text);
    assert.deepEqual(result.json.tags, { env: 'big' });
    assert.equal(result.json.location, 'westus');
    // The event loop parsed pieces only; the whole text was parsed in the worker thread.
    assert.equal(parses, 0, 'the whole body was parsed on the event loop');
  });

  it('refuses a 4 MiB deeply nested body from an Owner with InvalidRequestContent', async () => {
    const half = (FOUR_MIB - 64) / 2;
    const deep = '['.repeat(half) + ']'.repeat(half);
    const { result, parses } = await largeParsesDuring(4 * PIECE_SIZE, () =>
      arm(t, 'PUT', groupPath('deep'), { token, body: deep }),
    );
    expectArmError(
      result,
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: 'The JSON nesting depth of the request body exceeds the maximum of ${MAX_JSON_DEPTH}.'.`,
    );
    assert.equal(parses, 0);
    // Malformed large JSON is ARM's 400 too, found by the worker before any piece is built.
    const broken = `{"location":"westus","properties":{"x":"${'y'.repeat(200_000)}"}`;
    expectArmError(
      await arm(t, 'PUT', groupPath('broken'), { token, body: broken }),
      400,
      'InvalidRequestContent',
    );
  });
});
