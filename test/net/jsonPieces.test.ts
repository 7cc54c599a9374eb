import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '../../src/net/jsonDepth.js';
import { parseInline, parseJsonBody } from '../../src/net/jsonBody.js';
import { assemblePieces, cutIntoPieces, planJsonBody } from '../../src/net/jsonPieces.js';

/** Texts whose shapes exercise the cut: large containers at every level, duplicates, escapes, `-0`. */
const SAMPLES: string[] = [
  JSON.stringify({ a: 1, b: [1, 2, 3], c: { d: 'x'.repeat(100) } }),
  JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i, name: `item-${i}`, tags: { k: 'v' } }))),
  JSON.stringify(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`key${i}`, [i, `v${i}`, null]]))),
  // Integer-like keys enumerate first in both: the order must still agree.
  JSON.stringify({ z: 1, 10: 'ten', 2: 'two', nested: { 5: [1], a: 'é€😀', 1: { deep: [[[['x']]]] } } }),
  ' \n { "big" : [ ' +
    Array.from({ length: 120 }, (_, i) => `"s${i}\\"\\\\\\u00e9"`).join(' ,\n ') +
    ' ] , "n" : -0 } \n',
  '{"dup":{"x":[' +
    '1,'.repeat(60) +
    '1]},"mid":true,"dup":"replaced","dup2":1,"dup2":{"y":[' +
    '2,'.repeat(60) +
    '2]}}',
  '[' +
    Array.from({ length: 80 }, () => '{"__proto__":{"polluted":true},"ok":[1,2,3,4,5,6,7,8]}').join(',') +
    ']',
  '{"__proto__":[' + '0,'.repeat(100) + '0],"after":1e400,"small":1.5e-300,"neg":-0.0,"u":"\\ud800"}',
  '"' + 'long string '.repeat(50) + '"',
  '[[],{},[[]],{"a":{}},' + '"pad",'.repeat(40) + '[]]',
];

/** deepStrictEqual, plus the key order of every object (deepStrictEqual ignores it). */
function assertSameValue(actual: unknown, expected: unknown): void {
  assert.deepStrictEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
  const walk = (a: unknown, e: unknown): void => {
    if (e === null || typeof e !== 'object') return;
    assert.deepEqual(Reflect.ownKeys(a as object), Reflect.ownKeys(e));
    assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(e));
    for (const key of Reflect.ownKeys(e)) {
      walk((a as Record<PropertyKey, unknown>)[key], (e as Record<PropertyKey, unknown>)[key]);
    }
  };
  walk(actual, expected);
}

const dropProto = (key: string, value: unknown) => (key === '__proto__' ? undefined : value);

describe('large JSON bodies parsed in pieces', () => {
  it('rebuilds exactly what JSON.parse returns, for every piece size', async () => {
    for (const text of SAMPLES) {
      const body = Buffer.from(text);
      for (const pieceSize of [1, 7, 16, 64, 256, 1 << 20]) {
        const steps = cutIntoPieces(body, pieceSize);
        for (const drop of [false, true]) {
          const rebuilt = await assemblePieces(body, steps, { pieceSize, dropProtoKeys: drop });
          assertSameValue(rebuilt, JSON.parse(text, drop ? dropProto : undefined));
        }
      }
    }
  });

  it('keeps every piece near its size, unless one value is longer', () => {
    const text = JSON.stringify({
      rows: Array.from({ length: 2000 }, (_, i) => ({ i, v: `value ${i}` })),
      blob: 'b'.repeat(5000),
    });
    const body = Buffer.from(text);
    const steps = cutIntoPieces(body, 1024);
    const pieces = steps.flatMap((s) => (s.kind === 'members' ? [s.end - s.start] : []));
    assert.ok(pieces.length > 20, `only ${pieces.length} pieces`);
    // A piece closes once it reaches the size: it overshoots by at most one small member.
    const overs = pieces.filter((size) => size > 2 * 1024);
    assert.deepEqual(overs, [5000 + '"blob":""'.length]);
  });

  it('refuses in the worker what inline parsing refuses', () => {
    const deep = Buffer.from('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1));
    assert.deepEqual(planJsonBody(deep, 16, MAX_JSON_DEPTH), { ok: false, reason: 'depth' });
    assert.deepEqual(parseInline(deep, false), { ok: false, reason: 'depth' });
    for (const bad of ['{"a":1,}', '[1 2]', '{"a" 1}', '', '\ufeff{}', '{"a":"\u0001"}']) {
      assert.deepEqual(
        planJsonBody(Buffer.from(bad), 4, MAX_JSON_DEPTH),
        { ok: false, reason: 'syntax' },
        bad,
      );
      assert.deepEqual(parseInline(Buffer.from(bad), false), { ok: false, reason: 'syntax' }, bad);
    }
  });

  it('parses a large body through the worker thread with the inline result', async () => {
    const value = {
      properties: {
        items: Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `n${i}`, on: i % 2 === 0 })),
      },
      tags: { a: 'b' },
    };
    const body = Buffer.from(JSON.stringify(value));
    assert.ok(body.length > 256 * 1024);
    const inline = parseInline(body, true);
    const viaWorker = await parseJsonBody(body, { dropProtoKeys: true });
    assert.equal(inline.ok, true);
    assert.equal(viaWorker.ok, true);
    if (inline.ok && viaWorker.ok) assertSameValue(viaWorker.value, inline.value);

    // The worker's refusals come back as reasons, not values.
    const deep = Buffer.from('['.repeat(300_000) + ']'.repeat(300_000));
    assert.deepEqual(await parseJsonBody(deep), { ok: false, reason: 'depth' });
    const broken = Buffer.from(JSON.stringify(value).slice(0, -1));
    assert.deepEqual(await parseJsonBody(broken), { ok: false, reason: 'syntax' });
  });
});
