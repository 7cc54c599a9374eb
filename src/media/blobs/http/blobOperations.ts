import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobProperties, BlobStore } from '../blobStore.js';
import { blobErrors } from '../errors.js';
import { parseBlockList, blockListXml } from './blockListXml.js';
import { bodyStream, readSmallBody } from './body.js';
import { evaluateConditions } from './conditions.js';
import {
  contentHeaders,
  declaredLength,
  header,
  md5Header,
  metadataHeaders,
  metadataOf,
  versionHeaders,
} from './headers.js';
import { enumerationXml, listingPage, listingRequest } from './listing.js';
import type { OperationKind } from './operations.js';
import { requestedRange, satisfiable } from './ranges.js';
import type { BlobRequestState } from './requestState.js';

/** Body limits of the endpoint, in bytes. */
export interface BlobLimits {
  /** Put Blob: 256 MiB, as the service from version 2016-05-31 to 2019-07-07. */
  putBlob: number;
  /** Put Block: 100 MiB, same versions. */
  block: number;
  /** The XML body of Put Block List (50,000 ids fit well within it). */
  blockList: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_BLOB_LIMITS: BlobLimits = { putBlob: 256 * MiB, block: 100 * MiB, blockList: 4 * MiB };
/** x-ms-range-get-content-md5 is for ranges up to 4 MiB, as the service allows. */
const RANGE_MD5_LIMIT = 4 * MiB;

export interface OperationContext {
  request: FastifyRequest;
  reply: FastifyReply;
  state: BlobRequestState;
  store: BlobStore;
  limits: BlobLimits;
  /** Tells the lead a blob was committed (Put Blob, Put Block List). */
  committed: (props: BlobProperties) => void;
}

type Handler = (context: OperationContext) => Promise<unknown>;
type Query = Readonly<Record<string, string | string[] | undefined>>;

const blobName = (context: OperationContext): string => {
  if (context.state.blobName === undefined) throw blobErrors.invalidUri();
  return context.state.blobName;
};

const hasConditions = (context: OperationContext): boolean =>
  ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'].some(
    (name) => context.request.headers[name] !== undefined,
  );

/** Conditions of a write, checked before the body is read (a stat only when there are any). */
async function checkWriteConditions(context: OperationContext, name: string): Promise<void> {
  if (!hasConditions(context)) return;
  evaluateConditions(
    context.request.headers,
    await context.store.stat(context.state.container, name),
    'write',
  );
}

function limitBody(context: OperationContext, limit: number): void {
  context.state.bodyLimit = limit;
  const length = declaredLength(context.request.headers);
  if (length !== undefined && length > limit) throw blobErrors.bodyTooLarge(limit);
}

const written = (props: BlobProperties): Record<string, string> => ({
  ...versionHeaders(props),
  ...(props.contentMd5 ? { 'content-md5': props.contentMd5 } : {}),
  'x-ms-request-server-encrypted': 'false',
});

const putBlob: Handler = async (context) => {
  const { request, reply, state, store } = context;
  const name = blobName(context);
  const type = header(request.headers, 'x-ms-blob-type');
  if (type === undefined) throw blobErrors.missingHeader('x-ms-blob-type');
  if (type !== 'BlockBlob') throw blobErrors.invalidHeader('x-ms-blob-type', type);
  limitBody(context, context.limits.putBlob);
  const expectedMd5 = md5Header(request.headers, 'content-md5');
  const contentMd5 = md5Header(request.headers, 'x-ms-blob-content-md5');
  const metadata = metadataOf(request.headers);
  await checkWriteConditions(context, name);
  const contentType = header(request.headers, 'x-ms-blob-content-type') ?? state.contentType;
  const props = await store.put(state.container, name, bodyStream(request.raw), {
    maxBytes: context.limits.putBlob,
    metadata,
    ...(contentType ? { contentType } : {}),
    ...(expectedMd5 ? { expectedMd5 } : {}),
    ...(contentMd5 ? { contentMd5 } : {}),
  });
  context.committed(props);
  return reply.code(201).headers(written(props)).send();
};

const putBlock: Handler = async (context) => {
  const { request, reply, state, store } = context;
  const name = blobName(context);
  const blockId = (request.query as Query)['blockid'];
  if (blockId === undefined) throw blobErrors.missingQueryParameter('blockid');
  if (Array.isArray(blockId)) throw blobErrors.invalidQueryParameter('blockid', blockId.join(','));
  limitBody(context, context.limits.block);
  const expectedMd5 = md5Header(request.headers, 'content-md5');
  const block = await store.putBlock(state.container, name, blockId, bodyStream(request.raw), {
    maxBytes: context.limits.block,
    ...(expectedMd5 ? { expectedMd5 } : {}),
  });
  return reply
    .code(201)
    .headers({ 'content-md5': block.contentMd5, 'x-ms-request-server-encrypted': 'false' })
    .send();
};

const putBlockList: Handler = async (context) => {
  const { request, reply, state, store } = context;
  const name = blobName(context);
  limitBody(context, context.limits.blockList);
  const expectedMd5 = md5Header(request.headers, 'content-md5');
  const contentMd5 = md5Header(request.headers, 'x-ms-blob-content-md5');
  const metadata = metadataOf(request.headers);
  await checkWriteConditions(context, name);
  const body = await readSmallBody(request.raw, context.limits.blockList);
  const bodyMd5 = createHash('md5').update(body).digest('base64');
  if (expectedMd5 !== undefined && expectedMd5 !== bodyMd5) {
    throw blobErrors.md5Mismatch();
  }
  const entries = parseBlockList(body.toString('utf8'));
  if (!entries) throw blobErrors.invalidXml();
  const contentType = header(request.headers, 'x-ms-blob-content-type');
  const props = await store.commitBlocks(state.container, name, entries, {
    metadata,
    ...(contentType ? { contentType } : {}),
    ...(contentMd5 ? { contentMd5 } : {}),
  });
  context.committed(props);
  // The service's Content-MD5 here is the block list's, not the blob's.
  return reply
    .code(201)
    .headers({ ...versionHeaders(props), 'content-md5': bodyMd5, 'x-ms-request-server-encrypted': 'false' })
    .send();
};

const getBlockList: Handler = async (context) => {
  const { request, reply, state, store } = context;
  const name = blobName(context);
  const type = (request.query as Query)['blocklisttype'] ?? 'committed';
  if (typeof type !== 'string' || !['committed', 'uncommitted', 'all'].includes(type)) {
    throw blobErrors.invalidQueryParameter('blocklisttype', String(type));
  }
  const lists = await store.blockLists(state.container, name);
  if (!lists) throw blobErrors.blobNotFound();
  const props = await store.stat(state.container, name);
  const headers: Record<string, string> = { 'content-type': 'application/xml' };
  if (props)
    Object.assign(headers, versionHeaders(props), { 'x-ms-blob-content-length': String(props.size) });
  const xml = blockListXml(
    type === 'uncommitted' ? undefined : lists.committed,
    type === 'committed' ? undefined : lists.uncommitted,
  );
  return reply.code(200).headers(headers).send(xml);
};

/** Properties of an existing blob, after its read conditions; undefined when a 304 was sent. */
async function readable(context: OperationContext): Promise<BlobProperties | undefined> {
  const props = await context.store.stat(context.state.container, blobName(context));
  if (!props) throw blobErrors.blobNotFound();
  if (evaluateConditions(context.request.headers, props, 'read') === 'notModified') {
    context.reply.code(304).headers(versionHeaders(props)).send();
    return undefined;
  }
  return props;
}

const getBlob: Handler = async (context) => {
  const { request, reply, state, store } = context;
  const props = await readable(context);
  if (!props) return reply;
  const asked = requestedRange(request.headers);
  const wantsRangeMd5 = header(request.headers, 'x-ms-range-get-content-md5') === 'true';
  if (!asked) {
    if (wantsRangeMd5) throw blobErrors.invalidHeader('x-ms-range-get-content-md5', 'true');
    reply.code(200).headers({
      ...contentHeaders(props),
      'content-length': String(props.size),
      ...(props.contentMd5 ? { 'content-md5': props.contentMd5 } : {}),
    });
    return reply.send(store.read(state.container, props.name));
  }
  const range = satisfiable(asked, props.size);
  const length = range.end - range.start + 1;
  if (wantsRangeMd5 && length > RANGE_MD5_LIMIT) throw blobErrors.outOfRangeInput();
  reply.code(206).headers({
    ...contentHeaders(props),
    'content-range': `bytes ${range.start}-${range.end}/${props.size}`,
    'content-length': String(length),
    ...(props.contentMd5 ? { 'x-ms-blob-content-md5': props.contentMd5 } : {}),
  });
  if (!wantsRangeMd5) return reply.send(store.read(state.container, props.name, range));
  // The range's own MD5 needs all of it first; the 4 MiB cap bounds what is held.
  const chunks: Buffer[] = [];
  for await (const chunk of store.read(state.container, props.name, range) as AsyncIterable<Buffer>) {
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  return reply.header('content-md5', createHash('md5').update(bytes).digest('base64')).send(bytes);
};

const getBlobProperties: Handler = async (context) => {
  const props = await readable(context);
  if (!props) return context.reply;
  return context.reply
    .code(200)
    .headers({
      ...contentHeaders(props),
      'content-length': String(props.size),
      ...(props.contentMd5 ? { 'content-md5': props.contentMd5 } : {}),
    })
    .send();
};

const getBlobMetadata: Handler = async (context) => {
  const props = await readable(context);
  if (!props) return context.reply;
  return context.reply
    .code(200)
    .headers({ ...versionHeaders(props), ...metadataHeaders(props) })
    .send();
};

const deleteBlob: Handler = async (context) => {
  const name = blobName(context);
  await checkWriteConditions(context, name);
  if (!(await context.store.delete(context.state.container, name))) throw blobErrors.blobNotFound();
  return context.reply.code(202).send();
};

/** Set Blob Properties: content type and MD5 not given are cleared, as the service does. */
const setBlobProperties: Handler = async (context) => {
  const { request, reply, state, store } = context;
  const name = blobName(context);
  const contentMd5 = md5Header(request.headers, 'x-ms-blob-content-md5');
  const current = await store.stat(state.container, name);
  if (!current) throw blobErrors.blobNotFound();
  evaluateConditions(request.headers, current, 'write');
  const props = await store.update(state.container, name, {
    contentType: header(request.headers, 'x-ms-blob-content-type') ?? 'application/octet-stream',
    contentMd5: contentMd5 ?? null,
  });
  if (!props) throw blobErrors.blobNotFound();
  return reply.code(200).headers(versionHeaders(props)).send();
};

/** Set Blob Metadata replaces all of it. */
const setBlobMetadata: Handler = async (context) => {
  const { request, reply, state, store } = context;
  const name = blobName(context);
  const metadata = metadataOf(request.headers);
  const current = await store.stat(state.container, name);
  if (!current) throw blobErrors.blobNotFound();
  evaluateConditions(request.headers, current, 'write');
  const props = await store.update(state.container, name, { metadata });
  if (!props) throw blobErrors.blobNotFound();
  return reply.code(200).headers(versionHeaders(props)).send();
};

const listBlobs: Handler = async (context) => {
  const { request, reply, state, store } = context;
  const listing = listingRequest(request.query as Query);
  const page = listingPage(await store.list(state.container), listing);
  const xml = enumerationXml({
    serviceEndpoint: blobServiceEndpoint(request, state.account),
    container: state.container,
    version: state.version,
    request: listing,
    page,
  });
  return reply.code(200).header('content-type', 'application/xml').send(xml);
};

/** Refused by authentication before it could get here; kept total so every kind has a handler. */
const beyondContainerSas: Handler = async () => {
  throw blobErrors.permissionMismatch();
};

export const handlers: Readonly<Record<OperationKind, Handler>> = {
  putBlob,
  putBlock,
  putBlockList,
  setBlobProperties,
  setBlobMetadata,
  getBlob,
  getBlobProperties,
  getBlobMetadata,
  getBlockList,
  deleteBlob,
  listBlobs,
  beyondContainerSas,
};

/** The blob endpoint as the client addressed it: the account's own origin, or its path-style form. */
function blobServiceEndpoint(request: FastifyRequest, account: string): string {
  const viaOwnOrigin = !request.originalUrl.startsWith('/media/');
  return viaOwnOrigin
    ? `${request.protocol}://${request.host}/blob`
    : `${request.protocol}://${request.host}/media/${encodeURIComponent(account)}/blob`;
}
