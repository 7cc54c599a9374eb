import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BlobStoreError } from '../../src/media/blobs/blobStore.js';
import { FileBlobStore } from '../../src/media/blobs/fileBlobStore.js';
import { encodeBlobName } from '../../src/media/blobs/names.js';

const C = 'asset-0b0c6f5e-1c7a-4a49-9a55-5d8f4f0e0001';
const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('base64');
const id = (text: string) => Buffer.from(text).toString('base64');
const body = (text: string | Buffer) => Readable.from([Buffer.from(text)]);
const MAX = { maxBytes: 1024 * 1024 };

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** A body that sends some bytes, then fails as an aborted client would. */
function failing(after: string): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.from(after);
      throw new Error('client went away');
    })(),
  );
}

const storeError = (code: string) => (error: unknown) =>
  error instanceof BlobStoreError && error.code === code;

describe('FileBlobStore', () => {
  let root: string;
  let store: FileBlobStore;
  const files = (...parts: string[]) => readdirSync(join(root, ...parts));

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tessera-blobs-'));
    store = new FileBlobStore(root);
    await store.recover();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('writes, reads, lists and describes a blob; an overwrite replaces it whole', async () => {
    const first = await store.put(C, 'video.mp4', body('first version'), {
      ...MAX,
      contentType: 'video/mp4',
    });
    assert.equal(first.size, 13);
    assert.equal(first.contentType, 'video/mp4');
    assert.equal(first.contentMd5, md5('first version'));
    assert.match(first.etag, /^"0x8D[0-9A-F]{13}"$/);
    assert.deepEqual(await store.stat(C, 'video.mp4'), first);
    assert.equal(await text(store.read(C, 'video.mp4')), 'first version');
    assert.equal(await text(store.read(C, 'video.mp4', { start: 6, end: 8 })), 'ver');
    assert.equal(readFileSync(await store.localPath(C, 'video.mp4'), 'utf8'), 'first version');

    // A reader that opened the first version keeps it while the blob is overwritten.
    const early = store.read(C, 'video.mp4');
    await new Promise((resolve) => early.once('readable', resolve));
    const second = await store.put(C, 'video.mp4', body('second'), MAX);
    assert.notEqual(second.etag, first.etag);
    assert.equal(second.contentType, 'application/octet-stream');
    assert.equal(await text(early), 'first version');
    assert.equal(await text(store.read(C, 'video.mp4')), 'second');
    assert.equal(files(C, '.data').length, 1, 'the replaced content is gone');
    assert.deepEqual(
      (await store.list(C)).map((b) => b.name),
      ['video.mp4'],
    );
  });

  it('keeps any name inside its container folder', async () => {
    const names = ['../escape', 'a/b/../../c', '.hidden', '..', 'dir\\file', 'ü €.mp4', 'x'.repeat(1024)];
    for (const name of names) await store.put(C, name, body(name), MAX);
    assert.deepEqual(files().sort(), [C]);
    for (const entry of [...files(C), ...files(C, '.data')]) {
      assert.ok(!entry.includes('/') && entry !== '..' && entry.length <= 255, entry);
    }
    for (const name of names) assert.equal(await text(store.read(C, name)), name);
    const listed = (await store.list(C)).map((b) => b.name);
    for (const name of names) assert.ok(listed.includes(name), name);
    assert.equal(encodeBlobName('x'.repeat(1024) + '.mp4').endsWith('.mp4'), true);
    await assert.rejects(store.put(C, 'y'.repeat(1025), body('x'), MAX), storeError('OutOfRangeInput'));
    await assert.rejects(store.put(C, '', body('x'), MAX), storeError('OutOfRangeInput'));
    await assert.rejects(store.put('..', 'x', body('x'), MAX), storeError('InvalidResourceName'));
    await assert.rejects(store.put('a/b', 'x', body('x'), MAX), storeError('InvalidResourceName'));
    for (const name of names) assert.equal(await store.delete(C, name), true);
  });

  it('leaves no blob and no file when the body fails, is too large, or fails its MD5', async () => {
    const before = await store.stat(C, 'video.mp4');
    await assert.rejects(store.put(C, 'video.mp4', failing('partial'), MAX), /client went away/);
    await assert.rejects(store.put(C, 'new.mp4', failing('partial'), MAX), /client went away/);
    await assert.rejects(
      store.put(C, 'big.mp4', body('0123456789'), { maxBytes: 9 }),
      storeError('RequestBodyTooLarge'),
    );
    await assert.rejects(
      store.put(C, 'sum.mp4', body('abc'), { ...MAX, expectedMd5: md5('abd') }),
      storeError('Md5Mismatch'),
    );
    assert.deepEqual(await store.stat(C, 'video.mp4'), before);
    for (const name of ['new.mp4', 'big.mp4', 'sum.mp4']) assert.equal(await store.stat(C, name), undefined);
    assert.equal(files(C, '.data').length, 1);
    assert.ok(files(C).every((entry) => !entry.startsWith('.tmp-')));
    const ok = await store.put(C, 'sum.mp4', body('abc'), { ...MAX, expectedMd5: md5('abc') });
    assert.equal(ok.contentMd5, md5('abc'));
    await store.delete(C, 'sum.mp4');
  });

  it('assembles staged blocks in block-list order and then discards the staged ones', async () => {
    await store.putBlock(C, 'blocks.bin', id('a'), body('AAA'), MAX);
    await store.putBlock(C, 'blocks.bin', id('b'), body('BB'), MAX);
    await store.putBlock(C, 'blocks.bin', id('c'), body('C'), MAX);
    await store.putBlock(C, 'blocks.bin', id('b'), body('bb'), MAX); // replaces the staged b
    assert.equal(await store.stat(C, 'blocks.bin'), undefined, 'staged blocks are not a blob');
    const staged = await store.blockLists(C, 'blocks.bin');
    assert.equal(staged?.uncommitted.length, 3);
    const props = await store.commitBlocks(C, 'blocks.bin', [id('c'), id('a'), id('b')], {
      contentType: 'application/x-test',
    });
    assert.equal(await text(store.read(C, 'blocks.bin')), 'CAAAbb');
    assert.equal(props.size, 6);
    assert.equal(props.contentMd5, md5('CAAAbb'));
    assert.deepEqual(await store.blockLists(C, 'blocks.bin'), {
      committed: [
        { id: id('c'), size: 1 },
        { id: id('a'), size: 3 },
        { id: id('b'), size: 2 },
      ],
      uncommitted: [],
    });
    assert.deepEqual(files(C, '.blocks'), []);

    // Committed blocks can be reused; Latest prefers a newer staged block of the same id.
    await store.putBlock(C, 'blocks.bin', id('d'), body('DDDD'), MAX);
    await store.putBlock(C, 'blocks.bin', id('a'), body('aaa'), MAX);
    await store.commitBlocks(
      C,
      'blocks.bin',
      [{ id: id('b'), from: 'committed' }, id('d'), id('a'), id('c')],
      {},
    );
    assert.equal(await text(store.read(C, 'blocks.bin')), 'bbDDDDaaaC');
    await assert.rejects(
      store.commitBlocks(C, 'blocks.bin', [{ id: id('d'), from: 'uncommitted' }], {}),
      storeError('InvalidBlockList'),
      'a committed block is not in the uncommitted list',
    );
    await assert.rejects(store.commitBlocks(C, 'blocks.bin', [id('z')], {}), storeError('InvalidBlockList'));
    assert.equal(await text(store.read(C, 'blocks.bin')), 'bbDDDDaaaC', 'a refused list changes nothing');
  });

  it('refuses bad block ids, mixed id lengths and over-long block lists', async () => {
    await assert.rejects(
      store.putBlock(C, 'ids.bin', 'not base64!', body('x'), MAX),
      storeError('InvalidBlockId'),
    );
    await assert.rejects(
      store.putBlock(C, 'ids.bin', id('x'.repeat(65)), body('x'), MAX),
      storeError('InvalidBlockId'),
    );
    await store.putBlock(C, 'ids.bin', id('one'), body('1'), MAX);
    await assert.rejects(
      store.putBlock(C, 'ids.bin', id('three'), body('3'), MAX),
      storeError('InvalidBlobOrBlock'),
    );
    await assert.rejects(
      store.putBlock(C, 'ids.bin', id('two'), body('12345'), { maxBytes: 4 }),
      storeError('RequestBodyTooLarge'),
    );
    const tooMany = Array.from({ length: 50_001 }, () => id('one'));
    await assert.rejects(store.commitBlocks(C, 'ids.bin', tooMany, {}), storeError('BlockListTooLong'));
    assert.deepEqual(files(C, '.blocks', encodeBlobName('ids.bin')), [Buffer.from('one').toString('hex')]);
    assert.equal(await store.delete(C, 'ids.bin'), true, 'deleting a blob of staged blocks only');
    assert.equal(await store.blockLists(C, 'ids.bin'), undefined);
  });

  it('updates properties, deletes blobs and containers, and adopts local files by move', async () => {
    const updated = await store.update(C, 'video.mp4', { contentType: 'video/mp4', metadata: { k: 'v' } });
    assert.equal(updated?.contentType, 'video/mp4');
    assert.deepEqual(updated?.metadata, { k: 'v' });
    assert.equal(await store.update(C, 'missing', { contentType: 'x/y' }), undefined);

    const local = join(root, '..', `tessera-adopt-${process.pid}.mp4`);
    writeFileSync(local, 'encoded output');
    const adopted = await store.adopt(C, 'out/encoded.mp4', local, 'video/mp4');
    assert.equal(adopted.contentMd5, md5('encoded output'));
    assert.equal(adopted.size, 14);
    assert.throws(() => readFileSync(local), /ENOENT/, 'moved, not copied');
    assert.equal(await text(store.read(C, 'out/encoded.mp4')), 'encoded output');

    assert.equal(await store.delete(C, 'video.mp4'), true);
    assert.equal(await store.delete(C, 'video.mp4'), false);
    const gone = store.read(C, 'video.mp4');
    await assert.rejects(text(gone), storeError('BlobNotFound'));
    await assert.rejects(store.localPath(C, 'video.mp4'), storeError('BlobNotFound'));

    await store.deleteContainer(C);
    assert.deepEqual(await store.list(C), []);
    assert.deepEqual(files(), []);
    await store.deleteContainer(C);
  });

  it('recovers: removes temp files, unreferenced content, stale or committed-over staged blocks, trash', async () => {
    await store.put(C, 'kept.mp4', body('kept'), MAX);
    await store.putBlock(C, 'fresh.bin', id('1'), body('fresh'), MAX);
    await store.putBlock(C, 'stale.bin', id('1'), body('stale'), MAX);
    const dir = join(root, C);
    writeFileSync(join(dir, '.tmp-record'), '{');
    writeFileSync(join(dir, '.data', '.tmp-content'), 'half');
    writeFileSync(join(dir, '.data', 'feedfacefeedface.kept.mp4'), 'orphan');
    const staleBlock = join(dir, '.blocks', encodeBlobName('stale.bin'), Buffer.from('1').toString('hex'));
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    utimesSync(staleBlock, eightDaysAgo, eightDaysAgo);
    // A commit cut short before it discarded its staged blocks: they are older than the record.
    const leftover = join(dir, '.blocks', encodeBlobName('kept.mp4'));
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'aa'), 'old');
    const anHourAgo = new Date(Date.now() - 3600 * 1000);
    utimesSync(join(leftover, 'aa'), anHourAgo, anHourAgo);
    // Abandoned: nothing wrote them for longer than any upload pauses.
    for (const path of [
      join(dir, '.tmp-record'),
      join(dir, '.data', '.tmp-content'),
      join(dir, '.data', 'feedfacefeedface.kept.mp4'),
    ])
      utimesSync(path, anHourAgo, anHourAgo);
    // In flight in another process sharing the folder (a node, the CLI): left alone.
    writeFileSync(join(dir, '.tmp-inflight'), 'being written');
    writeFileSync(join(dir, '.data', 'cafebabecafebabe.next.mp4'), 'record not written yet');
    mkdirSync(join(root, '.trash-0123'), { recursive: true });
    writeFileSync(join(root, '.trash-0123', 'x'), 'x');

    const reopened = new FileBlobStore(root);
    const report = await reopened.recover();
    assert.deepEqual(report, {
      tempFiles: 2,
      unreferencedContent: 1,
      stagedBlobsDiscarded: 2,
      containersRemoved: 1,
    });
    assert.deepEqual(files(), [C]);
    assert.deepEqual(files(C, '.blocks'), [encodeBlobName('fresh.bin')]);
    assert.equal(files(C, '.data').length, 2, "the live blob's content and the one in flight");
    assert.ok(files(C).includes('.tmp-inflight'), 'a write in flight elsewhere is not removed');
    assert.equal(await text(reopened.read(C, 'kept.mp4')), 'kept');
    assert.deepEqual((await reopened.blockLists(C, 'fresh.bin'))?.uncommitted, [{ id: id('1'), size: 5 }]);
    await reopened.commitBlocks(C, 'fresh.bin', [id('1')], {});
    assert.equal(await text(reopened.read(C, 'fresh.bin')), 'fresh');
  });

  describe('one folder shared by two processes (nodes behind a load balancer)', () => {
    let a: FileBlobStore;
    let b: FileBlobStore;
    before(() => {
      a = new FileBlobStore(root);
      b = new FileBlobStore(root);
    });

    it('commits on one the blocks staged on both', async () => {
      await a.putBlock(C, 'spread.bin', id('1'), body('one '), MAX);
      await b.putBlock(C, 'spread.bin', id('2'), body('two'), MAX);
      assert.deepEqual(
        (await a.blockLists(C, 'spread.bin'))?.uncommitted.map((block) => block.id),
        [id('1'), id('2')],
      );
      await a.commitBlocks(C, 'spread.bin', [id('1'), id('2')], {});
      assert.equal(await text(b.read(C, 'spread.bin')), 'one two');
    });

    it('refuses with InvalidBlockList, not a server error, blocks another process committed away', async () => {
      await a.putBlock(C, 'raced.bin', id('1'), body('first'), MAX);
      await b.commitBlocks(C, 'raced.bin', [id('1')], {});
      await assert.rejects(
        a.commitBlocks(C, 'raced.bin', [{ id: id('1'), from: 'uncommitted' }], {}),
        storeError('InvalidBlockList'),
      );
      // A new upload with ids of another length, after the other process replaced the blob
      // whole (which discards its staged blocks).
      await a.putBlock(C, 'other.bin', id('1'), body('x'), MAX);
      await b.put(C, 'other.bin', body('whole'), MAX);
      await a.putBlock(C, 'other.bin', id('longer-id'), body('y'), MAX);
      await a.commitBlocks(C, 'other.bin', [id('longer-id')], {});
      assert.equal(await text(b.read(C, 'other.bin')), 'y');
    });
  });
});
