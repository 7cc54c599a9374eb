import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { lazyChildLoggers } from '../../src/server/requestLogger.js';

/** A pino logger at `level` whose lines land in `lines`, and a spy on how many children it made. */
function capture(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level }, sink);
  // Counts every child made from this logger or its children (pino children inherit `child`).
  let children = 0;
  const child = logger.child;
  logger.child = function (this: typeof logger, ...args: Parameters<typeof child>) {
    children += 1;
    return child.apply(this, args);
  } as typeof logger.child;
  const flushed = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { logger: logger as FastifyBaseLogger, lines, children: () => children, flushed };
}

describe('request loggers made on first use', () => {
  it('makes no pino child for a request that never logs', () => {
    const { logger, children } = capture('info');
    const requestLog = lazyChildLoggers(logger, { reqId: 'r-1' }, {});
    assert.equal(requestLog.level, 'info', 'the level is the parent’s');
    assert.equal(children(), 0);
  });

  it('logs with the request’s bindings, through one child made on the first call', async () => {
    const { logger, lines, children, flushed } = capture('info');
    const requestLog = lazyChildLoggers(logger, { reqId: 'r-2' }, {});
    requestLog.error({ err: new Error('boom') }, 'management request failed');
    requestLog.info('second line');
    requestLog.debug('below the level');
    await flushed();
    assert.equal(children(), 1);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.reqId, 'r-2');
    assert.equal(lines[0]?.msg, 'management request failed');
    assert.equal((lines[0]?.err as { message?: string } | undefined)?.message, 'boom');
    assert.equal(lines[1]?.reqId, 'r-2');
    assert.equal(lines[1]?.msg, 'second line');
  });

  it('keeps a level given for the request, and makes grandchildren with both bindings', async () => {
    const { logger, lines, flushed } = capture('info');
    const requestLog = lazyChildLoggers(logger, { reqId: 'r-3' }, { level: 'warn' });
    assert.equal(requestLog.level, 'warn');
    requestLog.info('dropped at warn');
    requestLog.child({ step: 'parse' }).warn('kept');
    requestLog.level = 'debug';
    requestLog.debug('now kept');
    await flushed();
    assert.deepEqual(
      lines.map((l) => [l.reqId, l.step, l.msg]),
      [
        ['r-3', 'parse', 'kept'],
        ['r-3', undefined, 'now kept'],
      ],
    );
  });
});
