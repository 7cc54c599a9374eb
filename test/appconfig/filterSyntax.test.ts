import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppConfigError } from '../../src/appconfig/errors.js';
import {
  parseStringFilter,
  parseTagFilter,
  parseTagFilters,
} from '../../src/appconfig/filters/filterSyntax.js';

const key = (raw: string | undefined) => parseStringFilter('key', raw, { nullable: false });
const label = (raw: string | undefined) => parseStringFilter('label', raw, { nullable: true });

function rejects(run: () => unknown, detail: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AppConfigError);
    assert.equal(error.status, 400);
    assert.equal(error.problem?.detail, detail);
    return true;
  });
}

describe('filter syntax', () => {
  it('reads exact values, prefixes and lists of up to five', () => {
    assert.equal(key(undefined), undefined);
    assert.equal(key('*'), undefined);
    assert.equal(key('a,*'), undefined, 'a bare * alternative matches everything');
    assert.deepEqual(key('abc'), { exact: ['abc'], prefixes: [] });
    assert.deepEqual(key('abc*'), { exact: [], prefixes: ['abc'] });
    assert.deepEqual(key('a,b*,c'), { exact: ['a', 'c'], prefixes: ['b'] });
    assert.deepEqual(key('1,2,3,4,5')?.exact, ['1', '2', '3', '4', '5']);
    rejects(() => key('1,2,3,4,5,6'), 'key: At most 5 comma-separated values may be given');
  });

  it('unescapes \\*, \\, and \\\\ and refuses the reserved characters unescaped', () => {
    assert.deepEqual(key('a\\*b'), { exact: ['a*b'], prefixes: [] });
    assert.deepEqual(key('a\\,b'), { exact: ['a,b'], prefixes: [] });
    assert.deepEqual(key('a\\\\b*'), { exact: [], prefixes: ['a\\b'] });
    assert.deepEqual(key('\\x'), { exact: ['x'], prefixes: [] }, 'other characters may be escaped too');
    rejects(() => key('a*b'), 'key(1): Invalid character');
    rejects(() => key('*a'), 'key(0): Invalid character');
    rejects(() => key('ok,a\\'), 'key(4): Invalid character');
    rejects(() => label('x,y*z'), 'label(3): Invalid character');
  });

  it('reads \\0 and empty alternatives of a label filter as the null label', () => {
    assert.deepEqual(label('\0'), { exact: [null], prefixes: [] });
    assert.deepEqual(label(''), { exact: [null], prefixes: [] });
    assert.deepEqual(label('\0,prod'), { exact: [null, 'prod'], prefixes: [] });
  });

  it('reads tag filters name=value, \\0 for a null value, at most five', () => {
    assert.deepEqual(parseTagFilter('env=prod'), { name: 'env', value: 'prod' });
    assert.deepEqual(parseTagFilter('env='), { name: 'env', value: '' });
    assert.deepEqual(parseTagFilter('env=\0'), { name: 'env', value: null });
    assert.deepEqual(parseTagFilter('a\\=b=c\\=d'), { name: 'a=b', value: 'c=d' });
    rejects(() => parseTagFilter('novalue'), "tags: The tag filter 'novalue' is not of the form name=value");
    rejects(() => parseTagFilter('a=b=c'), 'tags(3): Invalid character');
    rejects(
      () => parseTagFilters(['a=1', 'b=2', 'c=3', 'd=4', 'e=5', 'f=6']),
      'tags: At most 5 tag filters may be given',
    );
  });
});
