import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import threadpool from '../../src/server/threadpool.cjs';

describe('sizing libuv thread pool for signing', () => {
  it('leaves the event loop a core', () => {
    const env: NodeJS.ProcessEnv = {};
    assert.equal(threadpool.sizeThreadPool(env), Math.max(1, availableParallelism() - 1));
    assert.equal(env.UV_THREADPOOL_SIZE, String(Math.max(1, availableParallelism() - 1)));
  });

  it("keeps an operator's own size", () => {
    const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '6' };
    assert.equal(threadpool.sizeThreadPool(env), 6);
    assert.equal(env.UV_THREADPOOL_SIZE, '6');
  });
});
