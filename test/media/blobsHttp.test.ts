import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { BlobProperties } from '../../src/media/blobs/blobStore.js';
import { FileBlobStore } from '../../src/media/blobs/fileBlobStore.js';
import { hashFile } from '../../src/media/blobs/files.js';
import type { ContainerGrants } from '../../src/media/blobs/http/plugin.js';
import { blobPlugin } from '../../src/media/blobs/http/plugin.js';
import type { SasGrant } from '../../src/media/blobs/sas.js';
import { Permission, containerSas } from '../../src/media/blobs/sas.js';
import { tamper } from '../support/tamper.js';

const ACCOUNT = 'media1';
const C = 'asset-0b0c6f5e-1c7a-4a49-9a55-5d8f4f0e0001';
const OTHER = 'asset-0b0c6f5e-1c7a-4a49-9a55-5d8f4f0e0002';
const KEY = randomBytes(32);
const HOUR = 3600_000;
const ALL = Permission.Read | Permission.Write | Permission.Delete | Permission.List;
const LIMITS = { putBlob: 64 * 1024, block: 1024, blockList: 4096 };
const md5 = (bytes: Buffer | string) => createHash('md5').update(bytes).digest('base64');
const blockId = (n: number) => Buffer.from(`block-${String(n).padStart(4, '0')}`).toString('base64');

class Grants implements ContainerGrants {
  readonly grants = new Map<string, SasGrant>();
  async find(account: string, container: string, locatorId: string) {
    const grant = this.grants.get(`${account}/${container}/${locatorId}`);
    return grant && { grant, key: KEY };
  }
  /** A locator's ContentAccessComponent. */
  sas(
    permissions: number,
    options: { container?: string; start?: number | null; expiry?: number } = {},
  ): string {
    const grant: SasGrant = {
      locatorId: crypto.randomUUID(),
      container: options.container ?? C,
      permissions,
      startTime: options.start === undefined ? Date.now() - HOUR : options.start,
      expiry: options.expiry ?? Date.now() + HOUR,
    };
    this.grants.set(`${ACCOUNT}/${grant.container}/${grant.locatorId}`, grant);
    return containerSas(ACCOUNT, grant, KEY);
  }
}

interface Fixture {
  app: FastifyInstance;
  store: FileBlobStore;
  grants: Grants;
  root: string;
  committed: Array<{ account: string; container: string; props: BlobProperties }>;
}

async function fixture(
  limits: Partial<typeof LIMITS> = LIMITS,
  store?: (root: string) => FileBlobStore,
): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-blob-http-'));
  const f: Fixture = {
    app: Fastify(),
    store: store ? store(root) : new FileBlobStore(root),
    grants: new Grants(),
    root,
    committed: [],
  };
  await f.store.recover();
  await f.app.register(blobPlugin, {
    prefix: '/media/:account/blob',
    grants: f.grants,
    store: f.store,
    limits,
    onCommitted: (account, container, props) => f.committed.push({ account, container, props }),
  });
  await f.app.ready();
  return f;
}

async function close(f: Fixture): Promise<void> {
  await f.app.close();
  rmSync(f.root, { recursive: true, force: true });
}

const path = (blob: string | undefined, sas: string, extra = '', container = C) =>
  `/media/${ACCOUNT}/blob/${container}${blob === undefined ? '' : `/${blob}`}${sas}${extra ? `${sas ? '&' : '?'}${extra}` : ''}`;

const errorCode = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];

function assertError(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.headers['x-ms-error-code'], code);
  assert.equal(response.headers['content-type'], 'application/xml');
  assert.equal(errorCode(response.body), code);
  const requestId = response.headers['x-ms-request-id'];
  assert.match(String(requestId), /^[0-9a-f-]{36}$/);
  assert.match(
    response.body,
    new RegExp(
      `\\nRequestId:${String(requestId)}\\nTime:\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z</Message>`,
    ),
  );
}

const storedFiles = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

describe('blob endpoint', () => {
  let f: Fixture;
  let rw: string;
  before(async () => {
    f = await fixture();
    rw = f.grants.sas(ALL);
  });
  after(() => close(f));

  it('Put Blob stores the body and answers as the service; Get Blob and Get Blob Properties read it back', async () => {
    const put = await f.app.inject({
      method: 'PUT',
      url: path('folder/video%201.mp4', rw),
      headers: {
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-version': '2017-04-17',
        'x-ms-client-request-id': 'client-1',
        'x-ms-blob-content-type': 'video/mp4',
        'content-type': 'application/octet-stream',
        'x-ms-meta-Origin': 'upload',
      },
      payload: 'hello blob',
    });
    assert.equal(put.statusCode, 201, put.body);
    assert.equal(put.body, '');
    assert.match(String(put.headers.etag), /^"0x8D[0-9A-F]{13}"$/);
    assert.ok(put.headers['last-modified']);
    assert.equal(put.headers['content-md5'], md5('hello blob'));
    assert.equal(put.headers['x-ms-version'], '2017-04-17');
    assert.equal(put.headers['x-ms-client-request-id'], 'client-1');
    assert.equal(put.headers['x-ms-request-server-encrypted'], 'false');
    assert.match(String(put.headers['x-ms-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(f.committed.length, 1);
    assert.equal(f.committed[0]?.account, ACCOUNT);
    assert.equal(f.committed[0]?.container, C);
    assert.equal(f.committed[0]?.props.name, 'folder/video 1.mp4');

    const get = await f.app.inject({ method: 'GET', url: path('folder/video%201.mp4', rw) });
    assert.equal(get.statusCode, 200);
    assert.equal(get.body, 'hello blob');
    assert.equal(get.headers['content-type'], 'video/mp4');
    assert.equal(get.headers['content-length'], '10');
    assert.equal(get.headers['content-md5'], md5('hello blob'));
    assert.equal(get.headers.etag, put.headers.etag);
    assert.equal(get.headers['x-ms-blob-type'], 'BlockBlob');
    assert.equal(get.headers['x-ms-meta-origin'], 'upload');
    assert.equal(get.headers['x-ms-version'], '2012-02-12', 'the signature version when none is asked');

    const head = await f.app.inject({ method: 'HEAD', url: path('folder/video%201.mp4', rw) });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], '10');
    assert.equal(head.headers['content-type'], 'video/mp4');

    const metadata = await f.app.inject({
      method: 'GET',
      url: path('folder/video%201.mp4', rw, 'comp=metadata'),
    });
    assert.equal(metadata.statusCode, 200);
    assert.equal(metadata.headers['x-ms-meta-origin'], 'upload');

    // Whatever the client calls its content type is kept, even one Fastify would not parse.
    const odd = await f.app.inject({
      method: 'PUT',
      url: path('odd.bin', rw),
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'not a media type' },
      payload: 'x',
    });
    assert.equal(odd.statusCode, 201, odd.body);
    assert.equal((await f.store.stat(C, 'odd.bin'))?.contentType, 'not a media type');
  });

  it('refuses a Put Blob without the block blob type, or with another, and a wrong Content-MD5', async () => {
    const missing = await f.app.inject({ method: 'PUT', url: path('x.bin', rw), payload: 'x' });
    assertError(missing, 400, 'MissingRequiredHeader');
    assert.match(missing.body, /<HeaderName>x-ms-blob-type<\/HeaderName>/);
    const page = await f.app.inject({
      method: 'PUT',
      url: path('x.bin', rw),
      headers: { 'x-ms-blob-type': 'PageBlob' },
      payload: 'x',
    });
    assertError(page, 400, 'InvalidHeaderValue');
    const sum = await f.app.inject({
      method: 'PUT',
      url: path('x.bin', rw),
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-md5': md5('other') },
      payload: 'x',
    });
    assertError(sum, 400, 'Md5Mismatch');
    const badSum = await f.app.inject({
      method: 'PUT',
      url: path('x.bin', rw),
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-md5': 'nope' },
      payload: 'x',
    });
    assertError(badSum, 400, 'InvalidMd5');
    assert.equal(await f.store.stat(C, 'x.bin'), undefined);
  });

  it('Put Block and Put Block List build a blob; Get Block List shows both lists', async () => {
    for (const [n, text] of [
      [2, 'second '],
      [1, 'first '],
      [3, 'third'],
    ] as const) {
      const block = await f.app.inject({
        method: 'PUT',
        url: path('big.mp4', rw, `comp=block&blockid=${encodeURIComponent(blockId(n))}`),
        headers: { 'content-md5': md5(text) },
        payload: text,
      });
      assert.equal(block.statusCode, 201, block.body);
      assert.equal(block.headers['content-md5'], md5(text));
    }
    const staged = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw, 'comp=blocklist&blocklisttype=all'),
    });
    assert.equal(staged.statusCode, 200);
    assert.match(
      staged.body,
      /^<\?xml version="1.0" encoding="utf-8"\?><BlockList><CommittedBlocks><\/CommittedBlocks><UncommittedBlocks>(<Block><Name>[^<]+<\/Name><Size>\d+<\/Size><\/Block>){3}<\/UncommittedBlocks><\/BlockList>$/,
    );

    const xml = `<?xml version="1.0" encoding="utf-8"?>\n<BlockList>\n  <Latest>${blockId(1)}</Latest>\n  <Uncommitted>${blockId(2)}</Uncommitted>\n  <Latest>${blockId(3)}</Latest>\n</BlockList>`;
    const commit = await f.app.inject({
      method: 'PUT',
      url: path('big.mp4', rw, 'comp=blocklist'),
      headers: {
        'x-ms-blob-content-type': 'video/mp4',
        'content-type': 'application/xml',
        'x-ms-meta-kind': 'source',
      },
      payload: xml,
    });
    assert.equal(commit.statusCode, 201, commit.body);
    assert.equal(commit.headers['content-md5'], md5(xml), 'the block list');
    assert.ok(commit.headers.etag);
    assert.equal(f.committed.at(-1)?.props.name, 'big.mp4');
    const get = await f.app.inject({ method: 'GET', url: path('big.mp4', rw) });
    assert.equal(get.body, 'first second third');
    assert.equal(get.headers['content-type'], 'video/mp4');
    assert.equal(get.headers['x-ms-meta-kind'], 'source');

    const lists = await f.app.inject({ method: 'GET', url: path('big.mp4', rw, 'comp=blocklist') });
    assert.equal(lists.headers['x-ms-blob-content-length'], '18');
    assert.equal(
      lists.body,
      `<?xml version="1.0" encoding="utf-8"?><BlockList><CommittedBlocks><Block><Name>${blockId(1)}</Name><Size>6</Size></Block><Block><Name>${blockId(2)}</Name><Size>7</Size></Block><Block><Name>${blockId(3)}</Name><Size>5</Size></Block></CommittedBlocks></BlockList>`,
    );

    const unknown = await f.app.inject({
      method: 'PUT',
      url: path('big.mp4', rw, 'comp=blocklist'),
      payload: `<BlockList><Uncommitted>${blockId(9)}</Uncommitted></BlockList>`,
    });
    assertError(unknown, 400, 'InvalidBlockList');
    for (const bad of [
      '<BlockList><Latest>x</Latest>',
      'not xml',
      '<BlockList><Other>x</Other></BlockList>',
    ]) {
      const response = await f.app.inject({
        method: 'PUT',
        url: path('big.mp4', rw, 'comp=blocklist'),
        payload: bad,
      });
      assertError(response, 400, 'InvalidXmlDocument');
    }
    const noId = await f.app.inject({ method: 'PUT', url: path('big.mp4', rw, 'comp=block'), payload: 'x' });
    assertError(noId, 400, 'MissingRequiredQueryParameter');
    const badId = await f.app.inject({
      method: 'PUT',
      url: path('big.mp4', rw, 'comp=block&blockid=%21'),
      payload: 'x',
    });
    assertError(badId, 400, 'InvalidBlockId');
    assert.equal(
      (await f.app.inject({ method: 'GET', url: path('big.mp4', rw) })).body,
      'first second third',
    );
  });

  it('answers ranges with 206 and Content-Range, and 416 past the end', async () => {
    const ranged = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { range: 'bytes=6-11' },
    });
    assert.equal(ranged.statusCode, 206);
    assert.equal(ranged.body, 'second');
    assert.equal(ranged.headers['content-range'], 'bytes 6-11/18');
    assert.equal(ranged.headers['content-length'], '6');
    const open = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { 'x-ms-range': 'bytes=13-', range: 'bytes=0-0', 'x-ms-range-get-content-md5': 'true' },
    });
    assert.equal(open.statusCode, 206);
    assert.equal(open.body, 'third');
    assert.equal(open.headers['content-md5'], md5('third'));
    const clamped = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { range: 'bytes=17-99' },
    });
    assert.equal(clamped.headers['content-range'], 'bytes 17-17/18');
    const past = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { range: 'bytes=18-' },
    });
    assertError(past, 416, 'InvalidRange');
    assert.equal(past.headers['content-range'], 'bytes */18');
    const bad = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { 'x-ms-range': 'bytes=-5' },
    });
    assertError(bad, 400, 'InvalidHeaderValue');
    // An empty block list commits an empty blob; no range of it is satisfiable.
    const empty = await f.app.inject({
      method: 'PUT',
      url: path('empty.bin', rw, 'comp=blocklist'),
      payload: '<BlockList />',
    });
    assert.equal(empty.statusCode, 201, empty.body);
    const whole = await f.app.inject({ method: 'GET', url: path('empty.bin', rw) });
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.headers['content-length'], '0');
    assert.equal(whole.headers['content-md5'], md5(''));
    assertError(
      await f.app.inject({ method: 'GET', url: path('empty.bin', rw), headers: { range: 'bytes=0-' } }),
      416,
      'InvalidRange',
    );
    assert.equal((await f.app.inject({ method: 'DELETE', url: path('empty.bin', rw) })).statusCode, 202);
    const ignored = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { range: 'bytes=-5' },
    });
    assert.equal(ignored.statusCode, 200, 'a Range it does not understand is ignored');
  });

  it('honours conditional headers', async () => {
    const etag = String((await f.store.stat(C, 'big.mp4'))?.etag);
    const notModified = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { 'if-none-match': etag },
    });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');
    const exists = await f.app.inject({
      method: 'PUT',
      url: path('big.mp4', rw),
      headers: { 'x-ms-blob-type': 'BlockBlob', 'if-none-match': '*' },
      payload: 'overwrite',
    });
    assertError(exists, 409, 'BlobAlreadyExists');
    const stale = await f.app.inject({
      method: 'DELETE',
      url: path('big.mp4', rw),
      headers: { 'if-match': '"0x8D0000000000000"' },
    });
    assertError(stale, 412, 'ConditionNotMet');
    assert.equal(
      (await f.app.inject({ method: 'GET', url: path('big.mp4', rw) })).body,
      'first second third',
    );
  });

  it('sets properties and metadata', async () => {
    const props = await f.app.inject({
      method: 'PUT',
      url: path('big.mp4', rw, 'comp=properties'),
      headers: { 'x-ms-blob-content-type': 'video/quicktime' },
    });
    assert.equal(props.statusCode, 200, props.body);
    const meta = await f.app.inject({
      method: 'PUT',
      url: path('big.mp4', rw, 'comp=metadata'),
      headers: { 'x-ms-meta-a': '1' },
    });
    assert.equal(meta.statusCode, 200);
    const head = await f.app.inject({ method: 'HEAD', url: path('big.mp4', rw) });
    assert.equal(head.headers['content-type'], 'video/quicktime');
    assert.equal(head.headers['content-md5'], undefined, 'not given, so cleared');
    assert.equal(head.headers['x-ms-meta-a'], '1');
    assert.equal(head.headers['x-ms-meta-kind'], undefined);
    const badMeta = await f.app.inject({
      method: 'PUT',
      url: path('big.mp4', rw, 'comp=metadata'),
      headers: { 'x-ms-meta-1bad': '1' },
    });
    assertError(badMeta, 400, 'InvalidMetadata');
  });

  it('lists a container, by page and by virtual folder, in the shape of the requested version', async () => {
    const listed = await f.app.inject({
      method: 'GET',
      url: path(undefined, rw, 'restype=container&comp=list&include=metadata'),
    });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.equal(listed.headers['content-type'], 'application/xml');
    assert.match(
      listed.body,
      new RegExp(
        `^<\\?xml version="1.0" encoding="utf-8"\\?><EnumerationResults ContainerName="http://localhost:80/media/${ACCOUNT}/blob/${C}"><Blobs>`,
      ),
    );
    const names = [...listed.body.matchAll(/<Blob><Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
    assert.deepEqual(names, ['big.mp4', 'folder/video 1.mp4', 'odd.bin']);
    assert.match(
      listed.body,
      /<Url>http:\/\/localhost:80\/media\/media1\/blob\/asset-[^<]+\/folder\/video%201.mp4<\/Url>/,
    );
    assert.match(listed.body, /<Metadata><a>1<\/a><\/Metadata>/);
    assert.match(
      listed.body,
      /<Content-Length>18<\/Content-Length><Content-Type>video\/quicktime<\/Content-Type>/,
    );
    assert.match(listed.body, /<NextMarker \/><\/EnumerationResults>$/);

    const first = await f.app.inject({
      method: 'GET',
      url: path(undefined, rw, 'restype=container&comp=list&maxresults=1&delimiter=%2F'),
      headers: { 'x-ms-version': '2019-07-07' },
    });
    assert.match(
      first.body,
      new RegExp(
        `<EnumerationResults ServiceEndpoint="http://localhost:80/media/${ACCOUNT}/blob/" ContainerName="${C}"><MaxResults>1</MaxResults><Delimiter>/</Delimiter>`,
      ),
    );
    assert.doesNotMatch(first.body, /<Url>/);
    assert.match(first.body, /<ServerEncrypted>false<\/ServerEncrypted>/);
    const marker = /<NextMarker>([^<]+)<\/NextMarker>/.exec(first.body)?.[1];
    assert.ok(marker);
    const second = await f.app.inject({
      method: 'GET',
      url: path(undefined, rw, `restype=container&comp=list&maxresults=1&delimiter=%2F&marker=${marker}`),
    });
    assert.match(second.body, /<Blobs><BlobPrefix><Name>folder\/<\/Name><\/BlobPrefix><\/Blobs>/);

    const bad = await f.app.inject({
      method: 'GET',
      url: path(undefined, rw, 'restype=container&comp=list&maxresults=0'),
    });
    assertError(bad, 400, 'OutOfRangeQueryParameterValue');
    const readOnly = f.grants.sas(Permission.Read);
    const refused = await f.app.inject({
      method: 'GET',
      url: path(undefined, readOnly, 'restype=container&comp=list'),
    });
    assertError(refused, 403, 'AuthorizationPermissionMismatch');
    const empty = f.grants.sas(Permission.List, { container: OTHER });
    const nothing = await f.app.inject({
      method: 'GET',
      url: path(undefined, empty, 'restype=container&comp=list', OTHER),
    });
    assert.equal(nothing.statusCode, 200);
    assert.match(nothing.body, /<Blobs><\/Blobs>/);
  });

  it('deletes with 202; a missing blob is 404 BlobNotFound (a HEAD has no body)', async () => {
    const deleted = await f.app.inject({ method: 'DELETE', url: path('odd.bin', rw) });
    assert.equal(deleted.statusCode, 202);
    assertError(await f.app.inject({ method: 'GET', url: path('odd.bin', rw) }), 404, 'BlobNotFound');
    assertError(await f.app.inject({ method: 'DELETE', url: path('odd.bin', rw) }), 404, 'BlobNotFound');
    const head = await f.app.inject({ method: 'HEAD', url: path('odd.bin', rw) });
    assert.equal(head.statusCode, 404);
    assert.equal(head.headers['x-ms-error-code'], 'BlobNotFound');
    assert.equal(head.body, '');
  });

  it('authenticates by the SAS alone', async () => {
    const anonymous = await f.app.inject({ method: 'GET', url: path('big.mp4', '') });
    assertError(anonymous, 404, 'ResourceNotFound');

    const sig = new URLSearchParams(rw.slice(1)).get('sig') ?? '';
    const tampered = rw.replace(encodeURIComponent(sig), encodeURIComponent(tamper(sig)));
    const forged = await f.app.inject({ method: 'GET', url: path('big.mp4', tampered) });
    assertError(forged, 403, 'AuthenticationFailed');
    assert.match(
      forged.body,
      /^<\?xml version="1.0" encoding="utf-8"\?><Error><Code>AuthenticationFailed<\/Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nRequestId:[0-9a-f-]{36}\nTime:[^<]+<\/Message><AuthenticationErrorDetail>Signature did not match. String to sign used was rwdl\n/,
    );

    const expired = f.grants.sas(ALL, { start: Date.now() - 2 * HOUR, expiry: Date.now() - HOUR });
    assertError(
      await f.app.inject({ method: 'GET', url: path('big.mp4', expired) }),
      403,
      'AuthenticationFailed',
    );
    const early = f.grants.sas(ALL, { start: Date.now() + HOUR, expiry: Date.now() + 2 * HOUR });
    assertError(
      await f.app.inject({ method: 'GET', url: path('big.mp4', early) }),
      403,
      'AuthenticationFailed',
    );

    const readOnly = f.grants.sas(Permission.Read);
    const write = await f.app.inject({
      method: 'PUT',
      url: path('sneaky.bin', readOnly),
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      payload: 'x',
    });
    assertError(write, 403, 'AuthorizationPermissionMismatch');
    assertError(
      await f.app.inject({ method: 'DELETE', url: path('big.mp4', readOnly) }),
      403,
      'AuthorizationPermissionMismatch',
    );
    assert.equal(await f.store.stat(C, 'sneaky.bin'), undefined);

    const elsewhere = f.grants.sas(ALL, { container: OTHER });
    assertError(
      await f.app.inject({ method: 'GET', url: path('big.mp4', elsewhere) }),
      403,
      'AuthenticationFailed',
    );
    const unknown = rw.replace(/si=[^&]+/, `si=${crypto.randomUUID()}`);
    assertError(
      await f.app.inject({ method: 'GET', url: path('big.mp4', unknown) }),
      403,
      'AuthenticationFailed',
    );
    const noSi = rw.replace(/si=[^&]+&/, '');
    assertError(
      await f.app.inject({ method: 'GET', url: path('big.mp4', noSi) }),
      403,
      'AuthenticationFailed',
    );

    const sharedKey = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { authorization: `SharedKey ${ACCOUNT}:c2lnbmF0dXJl` },
    });
    assertError(sharedKey, 403, 'KeyBasedAuthenticationNotPermitted');
    const bearer = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { authorization: 'Bearer x' },
    });
    assertError(bearer, 403, 'AuthenticationFailed');

    const version = await f.app.inject({
      method: 'GET',
      url: path('big.mp4', rw),
      headers: { 'x-ms-version': 'latest' },
    });
    assertError(version, 400, 'InvalidHeaderValue');
    // Operations beyond a container SAS, and malformed requests.
    assertError(
      await f.app.inject({ method: 'PUT', url: path(undefined, rw, 'restype=container') }),
      403,
      'AuthorizationPermissionMismatch',
    );
    assertError(await f.app.inject({ method: 'GET', url: path(undefined, rw) }), 400, 'InvalidUri');
    assertError(await f.app.inject({ method: 'POST', url: path('big.mp4', rw) }), 405, 'UnsupportedHttpVerb');
    assertError(
      await f.app.inject({ method: 'PUT', url: path('big.mp4', rw, 'comp=nonsense') }),
      400,
      'InvalidQueryParameterValue',
    );
    assertError(
      await f.app.inject({ method: 'GET', url: path('x'.repeat(1025), rw) }),
      400,
      'OutOfRangeInput',
    );
  });

  it('refuses bodies over the limits with 413 RequestBodyTooLarge and keeps nothing of them', async () => {
    const declared = await f.app.inject({
      method: 'PUT',
      url: path('large.bin', rw),
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      payload: Buffer.alloc(LIMITS.putBlob + 1),
    });
    assertError(declared, 413, 'RequestBodyTooLarge');
    assert.match(declared.body, new RegExp(`<MaxLimit>${LIMITS.putBlob}</MaxLimit>`));
    assert.equal(declared.headers.connection, 'close');
    // Chunked: no length to check up front, so the stream is cut at the limit.
    const chunked = await f.app.inject({
      method: 'PUT',
      url: path('large.bin', rw),
      headers: { 'x-ms-blob-type': 'BlockBlob', 'transfer-encoding': 'chunked' },
      payload: Readable.from([Buffer.alloc(40 * 1024), Buffer.alloc(40 * 1024)]),
    });
    assertError(chunked, 413, 'RequestBodyTooLarge');
    const block = await f.app.inject({
      method: 'PUT',
      url: path('large.bin', rw, `comp=block&blockid=${encodeURIComponent(blockId(1))}`),
      payload: Buffer.alloc(LIMITS.block + 1),
    });
    assertError(block, 413, 'RequestBodyTooLarge');
    const list = await f.app.inject({
      method: 'PUT',
      url: path('large.bin', rw, 'comp=blocklist'),
      payload: `<BlockList>${'<Latest>AAAA</Latest>'.repeat(300)}</BlockList>`,
    });
    assertError(list, 413, 'RequestBodyTooLarge');
    assert.equal(await f.store.stat(C, 'large.bin'), undefined);
    assert.deepEqual(
      storedFiles(f.root).filter(
        (file) => file.includes('.tmp-') || file.includes(Buffer.from('block-0001').toString('hex')),
      ),
      [],
    );
  });
});

/** A real listening server: streaming with backpressure, early refusal, aborted uploads. */
describe('blob endpoint over a socket', () => {
  let f: Fixture;
  let port: number;
  let rw: string;
  const puts: Array<Promise<unknown>> = [];
  let putStarted: () => void = () => undefined;

  before(async () => {
    f = await fixture({}, (root) => {
      const store = new FileBlobStore(root);
      const put = store.put.bind(store);
      // Observes each upload's outcome, so the abort test can wait for the clean-up.
      store.put = (...args) => {
        const result = put(...args);
        puts.push(result.catch((error: unknown) => error));
        putStarted();
        return result;
      };
      return store;
    });
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    port = (f.app.server.address() as AddressInfo).port;
    rw = f.grants.sas(ALL);
  });
  after(() => close(f));

  function send(
    url: string,
    headers: Record<string, string | number>,
  ): { request: ReturnType<typeof httpRequest>; response: Promise<IncomingMessage> } {
    const request = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: url, headers });
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
    });
    return { request, response };
  }

  const write = (request: ReturnType<typeof httpRequest>, chunk: Buffer) =>
    new Promise<void>((resolve) => (request.write(chunk) ? resolve() : request.once('drain', resolve)));

  it('streams a 64 MiB upload to disk with backpressure', { timeout: 120_000 }, async () => {
    const size = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024);
    const hash = createHash('md5');
    const rssBefore = process.memoryUsage().rss;
    const { request, response } = send(path('large.mp4', rw), {
      'x-ms-blob-type': 'BlockBlob',
      'content-length': size,
      'content-type': 'video/mp4',
    });
    for (let i = 0; i < size / chunk.length; i++) {
      chunk.fill(i % 251);
      chunk.writeUInt32BE(i, 0);
      hash.update(chunk);
      await write(request, chunk);
    }
    request.end();
    const answer = await response;
    answer.resume();
    assert.equal(answer.statusCode, 201);
    const expected = hash.digest('base64');
    assert.equal(answer.headers['content-md5'], expected);
    const onDisk = await hashFile(await f.store.localPath(C, 'large.mp4'));
    assert.deepEqual(onDisk, { size, md5: expected });
    // A coarse guard only: the server must not have held the body (64 MiB) plus copies of it.
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 200 * 1024 * 1024, `rss grew by ${grown} bytes`);
  });

  it('refuses an unauthenticated upload before reading its body, and closes the connection', async () => {
    const { request, response } = send(path('refused.bin', rw.replace(/sig=[^&]+/, 'sig=AAAA')), {
      'x-ms-blob-type': 'BlockBlob',
      'content-length': 100 * 1024 * 1024,
    });
    request.on('error', () => undefined); // the server may close before all is sent: that is the point
    request.write(Buffer.alloc(64 * 1024));
    // Only 64 KiB of the declared 100 MiB are ever sent: an answer proves nothing waited for the rest.
    const answer = await response;
    assert.equal(answer.statusCode, 403);
    assert.equal(answer.headers['x-ms-error-code'], 'AuthenticationFailed');
    assert.equal(answer.headers.connection, 'close');
    answer.resume();
    request.destroy();
    assert.equal(await f.store.stat(C, 'refused.bin'), undefined);
  });

  it('leaves nothing behind when the client aborts mid-upload', async () => {
    puts.length = 0;
    const started = new Promise<void>((resolve) => (putStarted = resolve));
    const { request, response } = send(path('aborted.bin', rw), {
      'x-ms-blob-type': 'BlockBlob',
      'content-length': 8 * 1024 * 1024,
    });
    response.catch(() => undefined);
    request.on('error', () => undefined);
    await write(request, Buffer.alloc(1024 * 1024));
    await started;
    request.destroy();
    assert.equal(puts.length, 1);
    const outcome = await puts[0];
    assert.ok(outcome instanceof Error, 'the write failed');
    assert.equal(await f.store.stat(C, 'aborted.bin'), undefined);
    assert.deepEqual(
      storedFiles(f.root).filter((file) => file.includes('.tmp-')),
      [],
    );
  });
});
