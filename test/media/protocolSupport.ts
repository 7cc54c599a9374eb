import assert from 'node:assert/strict';
import {
  X509Certificate,
  constants,
  createCipheriv,
  publicEncrypt,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import type { MediaFixture } from './support.js';
import { mediaCaller, startMedia } from './support.js';

/**
 * What the protocol tests share: raw HTTPS calls of the v2 API in any dialect, an XML reader
 * written from the XML Namespaces rules (independent of the product's), a multipart/mixed writer
 * and reader for `$batch`, and the upload steps of the reference (asset, policy, SAS locator,
 * blob PUT, CreateFileInfos).
 */

export const ACCEPT = {
  minimal: 'application/json',
  minimalExplicit: 'application/json;odata=minimalmetadata',
  verbose: 'application/json;odata=verbose',
  atom: 'application/atom+xml',
} as const;

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  app: 'http://www.w3.org/2007/app',
  data: 'http://schemas.microsoft.com/ado/2007/08/dataservices',
  metadata: 'http://schemas.microsoft.com/ado/2007/08/dataservices/metadata',
  edmx: 'http://schemas.microsoft.com/ado/2007/06/edmx',
  edm: 'http://schemas.microsoft.com/ado/2009/11/edm',
} as const;

export const MES_ID = 'nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56';
export const MODEL_NS = 'Microsoft.Cloud.Media.Vod.Rest.Data.Models';
export const TASK_BODY =
  '<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset>' +
  '<outputAsset assetName="out">JobOutputAsset(0)</outputAsset></taskBody>';

export const SETS = [
  'AccessPolicies',
  'Locators',
  'ContentKeys',
  'ContentKeyAuthorizationPolicyOptions',
  'ContentKeyAuthorizationPolicies',
  'Files',
  'Assets',
  'AssetDeliveryPolicies',
  'IngestManifestFiles',
  'IngestManifestAssets',
  'IngestManifests',
  'StorageAccounts',
  'Tasks',
  'NotificationEndPoints',
  'Jobs',
  'TaskTemplates',
  'JobTemplates',
  'MediaProcessors',
  'EncodingReservedUnitTypes',
  'Operations',
  'StreamingEndpoints',
  'Channels',
  'Programs',
] as const;

export interface Entity {
  Id: string;
  [name: string]: unknown;
}

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed when the answer is JSON, else undefined. */
  json: T;
}

export interface Caller {
  f: MediaFixture;
  token: string;
}

/** A server with one account and a Contributor's token. */
export async function contributor(account = 'media1'): Promise<Caller> {
  const f = await startMedia(account);
  const { token } = await mediaCaller(f, { displayName: `contributor-${randomUUID()}`, role: 'Contributor' });
  return { f, token };
}

export interface CallOptions {
  /** `Accept`; minimal JSON when absent. */
  accept?: string;
  /** A string or bytes as given; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** The API root to resolve `path` against (another account's); the fixture's by default. */
  api?: string;
}

/**
 * One request of the v2 API with the headers the docs' clients send. A 500 is never a correct
 * answer to anything these tests send, so it fails the test at once.
 */
export async function call<T = unknown>(
  c: Caller,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${c.token}`,
    'x-ms-version': '2.19',
    accept: options.accept ?? ACCEPT.minimal,
    dataserviceversion: '3.0',
    maxdataserviceversion: '3.0',
  };
  let body: string | Buffer | undefined;
  if (options.body !== undefined) {
    body =
      typeof options.body === 'string' || Buffer.isBuffer(options.body)
        ? options.body
        : JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  Object.assign(headers, options.headers);
  const url = /^https:\/\//.test(path) ? path : `${options.api ?? c.f.api}${path}`;
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  assert.notEqual(response.status, 500, `server error for ${method} ${path}: ${text}`);
  let json: unknown;
  if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(text);
  return { status: response.status, headers: response.headers, text, json: json as T };
}

/** Asserts an OData v3 error of the minimal dialect and returns its message. */
export function odataError(reply: Reply, status: number, code?: string): string {
  assert.equal(reply.status, status, reply.text);
  const error = (
    reply.json as { 'odata.error'?: { code: string; message: { lang: string; value: string } } }
  )?.['odata.error'];
  assert.ok(error, `expected an odata.error body: ${reply.text}`);
  assert.equal(error.message.lang, 'en-US');
  assert.equal(typeof error.message.value, 'string');
  if (code !== undefined) assert.equal(error.code, code);
  return error.message.value;
}

export const keyOf = (set: string, id: string): string => `${set}('${encodeURIComponent(id)}')`;

export async function createAsset(
  c: Caller,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<Entity> {
  const reply = await call<Entity>(c, 'POST', 'Assets', { body: { Name: name, Options: '0', ...extra } });
  assert.equal(reply.status, 201, reply.text);
  return reply.json;
}

export async function create(c: Caller, set: string, body: unknown): Promise<Entity> {
  const reply = await call<Entity>(c, 'POST', set, { body });
  assert.equal(reply.status, 201, reply.text);
  return reply.json;
}

/** Every entity of a set (following next links), minimal JSON. */
export async function listAll(c: Caller, path: string): Promise<Entity[]> {
  const all: Entity[] = [];
  let next: string | undefined = path;
  for (let pages = 0; next !== undefined; pages++) {
    assert.ok(pages < 100, 'next links end');
    const reply: Reply<{ value: Entity[]; 'odata.nextLink'?: string }> = await call(c, 'GET', next);
    assert.equal(reply.status, 200, reply.text);
    all.push(...reply.json.value);
    next = reply.json['odata.nextLink'];
  }
  return all;
}

/**
 * Uploads `files` into the asset as the reference's steps do: a Write policy, a SAS locator,
 * `PUT {BaseUri}/{name}{ContentAccessComponent}`, `CreateFileInfos`; then the locator and policy go.
 */
export async function upload(
  c: Caller,
  asset: Entity,
  files: ReadonlyArray<{ name: string; bytes: Buffer | string }>,
): Promise<void> {
  const policy = await create(c, 'AccessPolicies', {
    Name: 'upload',
    DurationInMinutes: '60',
    Permissions: '2',
  });
  const locator = await create(c, 'Locators', {
    AccessPolicyId: policy.Id,
    AssetId: asset.Id,
    StartTime: new Date(Date.now() - 60_000).toISOString(),
    Type: 1,
  });
  for (const file of files) {
    const put = await fetch(
      `${String(locator.BaseUri)}/${encodeURIComponent(file.name)}${String(locator.ContentAccessComponent)}`,
      {
        method: 'PUT',
        headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2015-02-21', 'content-type': 'video/mp4' },
        body: file.bytes,
      },
    );
    assert.equal(put.status, 201, await put.text());
  }
  const infos = await call(c, 'GET', `CreateFileInfos?assetid='${encodeURIComponent(asset.Id)}'`);
  assert.equal(infos.status, 204, infos.text);
  assert.equal((await call(c, 'DELETE', keyOf('Locators', locator.Id))).status, 204);
  assert.equal((await call(c, 'DELETE', keyOf('AccessPolicies', policy.Id))).status, 204);
}

/** A job's state by polling `Jobs('…')/State` until it is final (Finished 3, Error 4, Canceled 5). */
export async function waitForJob(c: Caller, jobId: string, limitMs = 45_000): Promise<number> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const reply = await call<{ value: number }>(c, 'GET', `${keyOf('Jobs', jobId)}/State`);
    assert.equal(reply.status, 200, reply.text);
    const state = reply.json.value;
    if (state === 3 || state === 4 || state === 5) return state;
    assert.ok(Date.now() < deadline, `the job is still in state ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ------------------------------------------------------------------ XML

export interface XmlNode {
  ns: string;
  local: string;
  /** Attributes by `{ns}local`, or `local` without a namespace. */
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const unescape = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`undefined entity ${whole}`);
    return value;
  });

/**
 * A strict little XML reader: well-formedness (matching tags, one root, quoted attributes) and
 * namespace resolution, so the tests check the documents a real XML parser would accept.
 */
export function parseXmlDocument(text: string): XmlNode {
  const stack: Array<{ node: XmlNode; qname: string; scope: Map<string, string> }> = [];
  let root: XmlNode | undefined;
  const tokens =
    /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = tokens.exec(text)) !== null) {
    consumed = tokens.lastIndex;
    const [whole, cdata, endTag, startTag, attrText, selfClose, chars] = match;
    if (whole.startsWith('<!DOCTYPE')) throw new Error('a DTD');
    if (cdata !== undefined || chars !== undefined) {
      const top = stack.at(-1);
      const value = cdata ?? unescape(chars ?? '');
      if (top) top.node.text += value;
      else if (value.trim() !== '') throw new Error('text outside the root element');
      continue;
    }
    if (endTag !== undefined) {
      const open = stack.pop();
      if (!open || open.qname !== endTag) throw new Error(`unexpected </${endTag}>`);
      continue;
    }
    if (startTag === undefined) continue; // comment or processing instruction
    if (root && stack.length === 0) throw new Error('two root elements');
    const parentScope = stack.at(-1)?.scope ?? new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);
    const scope = new Map(parentScope);
    const rawAttrs: Array<[string, string]> = [];
    for (const a of (attrText ?? '').matchAll(/([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const name = a[1] ?? '';
      const value = unescape(a[2] ?? a[3] ?? '');
      if (rawAttrs.some(([n]) => n === name)) throw new Error(`duplicate attribute ${name}`);
      rawAttrs.push([name, value]);
      if (name === 'xmlns') scope.set('', value);
      else if (name.startsWith('xmlns:')) scope.set(name.slice(6), value);
    }
    const resolve = (qname: string, isAttr: boolean): [string, string] => {
      const colon = qname.indexOf(':');
      if (colon < 0) return [isAttr ? '' : (scope.get('') ?? ''), qname];
      const ns = scope.get(qname.slice(0, colon));
      if (ns === undefined) throw new Error(`undeclared prefix in ${qname}`);
      return [ns, qname.slice(colon + 1)];
    };
    const [ns, local] = resolve(startTag, false);
    const node: XmlNode = { ns, local, attrs: {}, children: [], text: '' };
    for (const [name, value] of rawAttrs) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      const [ans, alocal] = resolve(name, true);
      node.attrs[ans ? `{${ans}}${alocal}` : alocal] = value;
    }
    const parent = stack.at(-1);
    if (parent) parent.node.children.push(node);
    else root = node;
    if (selfClose !== '/') stack.push({ node, qname: startTag, scope });
  }
  if (consumed !== text.length)
    throw new Error(`XML not well-formed at ${consumed}: ${text.slice(consumed, consumed + 40)}`);
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.qname}> is not closed`);
  if (!root) throw new Error('no root element');
  return root;
}

export const children = (node: XmlNode, ns: string, local: string): XmlNode[] =>
  node.children.filter((c) => c.ns === ns && c.local === local);

export function child(node: XmlNode, ns: string, local: string): XmlNode {
  const found = children(node, ns, local)[0];
  assert.ok(found, `<${node.local}> has no <${local}> (${ns})`);
  return found;
}

/** An Atom entry's `m:properties` as name → { text, type, isNull }. */
export function atomProperties(
  entry: XmlNode,
): Map<string, { text: string; type?: string; isNull: boolean }> {
  const content = child(entry, NS.atom, 'content');
  const properties = child(content, NS.metadata, 'properties');
  return new Map(
    properties.children
      .filter((p) => p.ns === NS.data)
      .map((p) => [
        p.local,
        {
          text: p.text,
          ...(p.attrs[`{${NS.metadata}}type`] !== undefined ? { type: p.attrs[`{${NS.metadata}}type`] } : {}),
          isNull: p.attrs[`{${NS.metadata}}null`] === 'true',
        },
      ]),
  );
}

// ------------------------------------------------------------------ $batch

export interface BatchPart {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  contentId?: string;
}

/** A `$batch` body as the .NET SDK frames it (CRLF, binary parts, Content-ID in the MIME headers). */
export function batchBody(items: ReadonlyArray<BatchPart | BatchPart[]>): {
  contentType: string;
  body: string;
} {
  const boundary = `batch_${randomUUID()}`;
  const lines: string[] = [];
  const operation = (part: BatchPart) => {
    lines.push('Content-Type: application/http', 'Content-Transfer-Encoding: binary');
    if (part.contentId !== undefined) lines.push(`Content-ID: ${part.contentId}`);
    lines.push('', `${part.method} ${part.url} HTTP/1.1`);
    for (const [name, value] of Object.entries(part.headers ?? {})) lines.push(`${name}: ${value}`);
    lines.push('', part.body ?? '');
  };
  for (const item of items) {
    lines.push(`--${boundary}`);
    if (!Array.isArray(item)) {
      operation(item);
      continue;
    }
    const changeset = `changeset_${randomUUID()}`;
    lines.push(`Content-Type: multipart/mixed; boundary=${changeset}`, '');
    for (const part of item) {
      lines.push(`--${changeset}`);
      operation(part);
    }
    lines.push(`--${changeset}--`);
  }
  lines.push(`--${boundary}--`, '');
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: lines.join('\r\n') };
}

export interface BatchAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A `$batch` answer: queries as one answer each, change sets as an array of answers. */
export type BatchAnswerItem = BatchAnswer | BatchAnswer[];

const boundaryOf = (contentType: string): string => {
  const match = /boundary=("?)([^";]+)\1/i.exec(contentType);
  assert.ok(match?.[2], `no boundary in ${contentType}`);
  return match[2];
};

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const closing = body.indexOf(`${delimiter}--`);
  assert.ok(closing >= 0, `the multipart body ends with ${delimiter}--`);
  return body
    .slice(0, closing)
    .split(`${delimiter}\r\n`)
    .slice(1)
    .map((part) => (part.endsWith('\r\n') ? part.slice(0, -2) : part));
}

const headerBlock = (text: string): [Record<string, string>, string] => {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').filter((l) => l !== '')) {
    const colon = line.indexOf(':');
    assert.ok(colon > 0, `a header line: ${line}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return [headers, end < 0 ? '' : text.slice(end + 4)];
};

function operationAnswer(part: string): BatchAnswer {
  const [mime, http] = headerBlock(part);
  assert.equal(mime['content-type'], 'application/http');
  assert.equal(mime['content-transfer-encoding'], 'binary');
  const lineEnd = http.indexOf('\r\n');
  const statusLine = http.slice(0, lineEnd);
  const status = /^HTTP\/1\.1 (\d{3}) \S/.exec(statusLine);
  assert.ok(status, `a status line: ${statusLine}`);
  const [headers, body] = headerBlock(http.slice(lineEnd + 2));
  return { status: Number(status[1]), headers, body };
}

export function parseBatchAnswer(contentType: string, body: string): BatchAnswerItem[] {
  return splitMultipart(body, boundaryOf(contentType)).map((part) => {
    const [mime, rest] = headerBlock(part);
    if ((mime['content-type'] ?? '').startsWith('multipart/mixed')) {
      return splitMultipart(rest, boundaryOf(mime['content-type'] ?? '')).map(operationAnswer);
    }
    return operationAnswer(part);
  });
}

export async function batch(
  c: Caller,
  items: ReadonlyArray<BatchPart | BatchPart[]>,
): Promise<BatchAnswerItem[]> {
  const { contentType, body } = batchBody(items);
  const reply = await call(c, 'POST', '$batch', { body, contentType });
  assert.equal(reply.status, 202, reply.text);
  const type = reply.headers.get('content-type') ?? '';
  assert.match(type, /^multipart\/mixed; ?boundary=/);
  return parseBatchAnswer(type, reply.text);
}

// ------------------------------------------------------------------ content keys

/** .NET's Guid.ToByteArray() encrypted with AES-ECB under the key, first 8 bytes, base64 (the SDK's checksum). */
function sdkChecksum(contentKey: Buffer, guid: string): string {
  const [d1, d2, d3, d4a, d4b] = guid.split('-') as [string, string, string, string, string];
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32LE(parseInt(d1, 16), 0);
  bytes.writeUInt16LE(parseInt(d2, 16), 4);
  bytes.writeUInt16LE(parseInt(d3, 16), 6);
  Buffer.from(d4a + d4b, 'hex').copy(bytes, 8);
  const cipher = createCipheriv(`aes-${contentKey.length * 8}-ecb`, contentKey, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(bytes), cipher.final()])
    .subarray(0, 8)
    .toString('base64');
}

/**
 * A storage-encryption content key made as the .NET SDK makes one: the protection key's
 * thumbprint and certificate from `GetProtectionKeyId` / `GetProtectionKey`, the key wrapped with
 * RSA-OAEP (SHA-1) to it, the checksum over the key id.
 */
export async function createContentKey(c: Caller): Promise<Entity> {
  const keyId = await call<{ value: string }>(c, 'GET', 'GetProtectionKeyId?contentKeyType=1');
  assert.equal(keyId.status, 200, keyId.text);
  const thumbprint = keyId.json.value;
  const certificate = await call<{ value: string }>(
    c,
    'GET',
    `GetProtectionKey?ProtectionKeyId='${thumbprint}'`,
  );
  assert.equal(certificate.status, 200, certificate.text);
  const guid = randomUUID();
  const key = randomBytes(32);
  const wrapped = publicEncrypt(
    {
      key: new X509Certificate(Buffer.from(certificate.json.value, 'base64')).publicKey,
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha1',
    },
    key,
  ).toString('base64');
  return create(c, 'ContentKeys', {
    Id: `nb:kid:UUID:${guid}`,
    Name: 'storage key',
    ProtectionKeyId: thumbprint,
    ContentKeyType: '1',
    ProtectionKeyType: '0',
    EncryptedContentKey: wrapped,
    Checksum: sdkChecksum(key, guid),
  });
}
