import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomRequestId } from '../../src/server/requestIds.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are version 4 UUIDs in lower case, all different, across several batches', () => {
    const ids = Array.from({ length: 1000 }, () => randomRequestId());
    for (const id of ids) assert.match(id, V4);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('use every hex digit in every random position, as random bytes would', () => {
    // 2,000 ids: a digit missing from a random position would be a formatting bug (chance ≈ 2⁻¹⁸⁰).
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let n = 0; n < 2000; n++) {
      const id = randomRequestId();
      for (let i = 0; i < 36; i++) seen[i]?.add(id[i] ?? '');
    }
    const fixed = new Map([
      [8, '-'],
      [13, '-'],
      [14, '4'],
      [18, '-'],
      [23, '-'],
    ]);
    for (let i = 0; i < 36; i++) {
      const digits = seen[i]?.size ?? 0;
      if (fixed.has(i)) assert.deepEqual([...(seen[i] ?? [])], [fixed.get(i)], `position ${i}`);
      else if (i === 19) assert.equal(digits, 4, 'the variant digit is one of 8, 9, a, b');
      else assert.equal(digits, 16, `position ${i}`);
    }
  });
});
