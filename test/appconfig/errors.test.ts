import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppConfigError, serializeAppConfigError } from '../../src/appconfig/errors.js';
import { assertNoLeak } from '../support/authority.js';
import { startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';
import { API_VERSION, DATA_OWNER, createStore, principalOnStore, rawRequest, sdkToken } from './support.js';
import type { RawResponse, StoreFixture } from './support.js';

interface Problem {
  type: string;
  title: string;
  name?: string;
  detail?: string;
  status: number;
}

function expectProblem(response: RawResponse, status: number, expected: Partial<Problem>): Problem {
  assert.equal(response.status, status, response.text);
  assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  assertNoLeak(response.text);
  const problem = JSON.parse(response.text) as Problem;
  assert.equal(problem.status, status);
  for (const [field, value] of Object.entries(expected))
    assert.equal(problem[field as keyof Problem], value, field);
  return problem;
}

describe('errors in problem+json', () => {
  let t: TestServer;
  let store: StoreFixture;
  let token: string;

  before(async () => {
    t = await startTestServer();
    store = await createStore(t, 'errors-store');
    token = await sdkToken((await principalOnStore(store, DATA_OWNER, 'owner')).credential);
  });
  after(async () => t.stop());

  const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    rawRequest(t, {
      method,
      path: `/appconfig/${store.name}${path}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body,
    });

  it('bad filters are 400 invalid-argument with the position of the fault', async () => {
    const cases: Array<[string, string, string]> = [
      ['key', 'a*b', 'key(1): Invalid character'],
      ['key', 'abc\\', 'key(3): Invalid character'],
      ['label', 'prod,te*st', 'label(7): Invalid character'],
      ['key', '*abc', 'key(0): Invalid character'],
    ];
    for (const [name, filter, detail] of cases) {
      expectProblem(
        await call('GET', `/kv?api-version=${API_VERSION}&${name}=${encodeURIComponent(filter)}`),
        400,
        {
          type: 'https://azconfig.io/errors/invalid-argument',
          title: `Invalid request parameter '${name}'`,
          name,
          detail,
        },
      );
    }
    expectProblem(await call('GET', `/kv?api-version=${API_VERSION}&key=a,b,c,d,e,f`), 400, { name: 'key' });
    expectProblem(await call('GET', `/kv?api-version=${API_VERSION}&tags=novalue`), 400, { name: 'tags' });
    expectProblem(await call('GET', `/keys?api-version=${API_VERSION}&name=x*y`), 400, {
      name: 'name',
      detail: 'name(1): Invalid character',
    });
    expectProblem(await call('GET', `/kv?api-version=${API_VERSION}&$select=key,bogus`), 400, {
      name: '$select',
    });
    expectProblem(await call('GET', `/kv?api-version=${API_VERSION}&after=%25%25`), 400, {});
    expectProblem(await call('GET', `/kv?api-version=${API_VERSION}&after=notatoken`), 400, {
      name: 'after',
    });
  });

  it('api-versions: missing, unsupported, invalid, ambiguous', async () => {
    expectProblem(await call('GET', '/kv'), 400, {
      type: 'https://azconfig.io/errors/invalid-argument',
      title: 'API version is not specified',
      name: 'api-version',
      detail: 'An API version is required, but was not specified.',
    });
    const unsupported = `/appconfig/${store.name}/kv?api-version=2019-01-01`;
    expectProblem(await call('GET', '/kv?api-version=2019-01-01'), 400, {
      title: 'Unsupported API version',
      detail: `The HTTP resource that matches the request URI 'https://localhost:${t.server.port}${unsupported}' does not support the API version '2019-01-01'.`,
    });
    expectProblem(await call('GET', '/kv?api-version=banana'), 400, {
      title: 'Invalid API version',
      name: 'api-version',
    });
    expectProblem(await call('GET', '/kv?api-version=1.0&api-version=2023-10-01'), 400, {
      title: 'Ambiguous API version',
      detail:
        'The following API versions were requested: 1.0, 2023-10-01. At most, only a single API version may be specified. Please update the intended API version and retry the request.',
    });
    // Snapshots came after 1.0.
    expectProblem(await call('GET', '/snapshots?api-version=1.0'), 400, { title: 'Unsupported API version' });
    for (const version of [
      '1.0',
      '2023-10-01',
      '2023-11-01',
      '2024-09-01',
      '2026-04-01',
      '2022-11-01-preview',
      '2026-08-01-preview',
    ]) {
      const response = await call('GET', `/kv?api-version=${version}`);
      assert.equal(response.status, 200, `${version}: ${response.text}`);
    }
  });

  it('key + value + attributes over 10 KB is a 413; nothing is written', async () => {
    const big = JSON.stringify({ value: 'x'.repeat(10 * 1024) });
    expectProblem(await call('PUT', `/kv/big?api-version=${API_VERSION}`, big), 413, {});
    const justUnder = JSON.stringify({ value: 'x'.repeat(10 * 1024 - 'fits'.length) });
    assert.equal((await call('PUT', `/kv/fits?api-version=${API_VERSION}`, justUnder)).status, 200);
    assert.equal((await call('GET', `/kv/big?api-version=${API_VERSION}`)).status, 404);
    const tagged = JSON.stringify({ value: 'v', tags: { t: 'y'.repeat(10 * 1024) } });
    expectProblem(await call('PUT', `/kv/tagged?api-version=${API_VERSION}`, tagged), 413, {});
  });

  it('invalid bodies and keys are 400', async () => {
    expectProblem(await call('PUT', `/kv/k?api-version=${API_VERSION}`, '{not json'), 400, { name: 'body' });
    expectProblem(await call('PUT', `/kv/k?api-version=${API_VERSION}`, '{"value": 5}'), 400, {
      name: 'value',
    });
    expectProblem(await call('PUT', `/kv/k?api-version=${API_VERSION}`, '{"tags": {"a": 1}}'), 400, {
      name: 'tags.a',
    });
    expectProblem(await call('PUT', `/kv/a%25b?api-version=${API_VERSION}`, '{"value":"v"}'), 400, {
      name: 'key',
    });
    expectProblem(await call('PUT', `/kv/..?api-version=${API_VERSION}`, '{"value":"v"}'), 400, {
      name: 'key',
    });
  });

  it('404 and 405 carry no body; 409 for snapshots in the wrong state', async () => {
    const missing = await call('GET', `/kv/missing?api-version=${API_VERSION}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.text, '');
    const unknownStore = await rawRequest(t, {
      path: `/appconfig/no-such-store/kv?api-version=${API_VERSION}`,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(unknownStore.status, 404);
    const wrongMethod = await call('POST', `/kv/k?api-version=${API_VERSION}`, '{}');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.text, '');
    const unknownPath = await call('GET', `/nothing?api-version=${API_VERSION}`);
    assert.equal(unknownPath.status, 404);

    await call(
      'PUT',
      `/snapshots/s1?api-version=${API_VERSION}`,
      JSON.stringify({ filters: [{ key: '*' }] }),
    );
    expectProblem(
      await call(
        'PUT',
        `/snapshots/s1?api-version=${API_VERSION}`,
        JSON.stringify({ filters: [{ key: '*' }] }),
      ),
      409,
      {
        type: 'https://azconfig.io/errors/already-exists',
        title: 'The resource already exists.',
      },
    );
    const recoverReady = await call(
      'PATCH',
      `/snapshots/s1?api-version=${API_VERSION}`,
      '{"status":"ready"}',
    );
    assert.equal(recoverReady.status, 200, 'recovering a ready snapshot changes nothing');
    expectProblem(
      await call('PUT', `/snapshots/s2?api-version=${API_VERSION}`, JSON.stringify({ filters: [] })),
      400,
      {
        name: 'filters',
      },
    );
    expectProblem(
      await call(
        'PUT',
        `/snapshots/s2?api-version=${API_VERSION}`,
        JSON.stringify({ filters: [{ key: '*', label: '*' }] }),
      ),
      400,
      { name: 'filters[0].label' },
    );
    expectProblem(
      await call(
        'PUT',
        `/snapshots/s2?api-version=${API_VERSION}`,
        JSON.stringify({ filters: [{ key: '*' }], retention_period: 60 }),
      ),
      400,
      { name: 'retention_period' },
    );
  });

  it('a 5xx says nothing about its cause', () => {
    const wire = serializeAppConfigError(
      new AppConfigError(500, { type: 'x', title: 'SQLITE_CORRUPT at /src/x.ts:1' }),
    );
    assert.equal(wire.status, 500);
    assert.deepEqual(JSON.parse(wire.body ?? ''), {
      type: 'https://azconfig.io/errors/server-error',
      title: 'Internal server error',
      status: 500,
    });
  });
});
