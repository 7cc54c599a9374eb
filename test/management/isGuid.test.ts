import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { isGuid } from '../../src/errors.js';

// The definition the hand-written check must agree with.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('isGuid', () => {
  it('accepts GUIDs in either case and nothing else', () => {
    const guid = randomUUID();
    assert.equal(isGuid(guid), true);
    assert.equal(isGuid(guid.toUpperCase()), true);
    for (const bad of ['', 'x', `${guid}0`, guid.slice(1), guid.replaceAll('-', ''), `{${guid.slice(2)}}`]) {
      assert.equal(isGuid(bad), false, bad);
    }
  });

  it('agrees with the pattern on every single-character change of a GUID', () => {
    const guid = randomUUID();
    for (let position = 0; position < guid.length; position++) {
      for (let code = 0x20; code < 0x7f; code++) {
        const changed = guid.slice(0, position) + String.fromCharCode(code) + guid.slice(position + 1);
        assert.equal(isGuid(changed), GUID.test(changed), changed);
      }
    }
  });
});
