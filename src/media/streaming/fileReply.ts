import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServedFile } from './servedFile.js';
import { StreamingError } from './types.js';

/**
 * Bytes read from the file at a time. Segments and progressive ranges are hundreds of KiB to a
 * few MiB: 256 KiB reads take a quarter of the thread-pool round trips of the default 64 KiB and
 * hand TLS bigger writes, while a slow client still holds at most this much per response.
 */
const READ_CHUNK = 256 * 1024;

/**
 * Sends a (range of a) file the way a CDN origin does: validators (ETag, Last-Modified), 304 on
 * If-None-Match / If-Modified-Since, one byte range (206, or 416 when it starts past the end),
 * If-Range, and HEAD without opening the file. A Range header that is malformed or asks for
 * several ranges is ignored (RFC 9110 allows it): the whole file is sent. The file is opened
 * before the status line goes out, so a file that is gone (an overwritten blob's old content) is
 * a 404, not a response cut short.
 */
export async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: ServedFile,
): Promise<FastifyReply> {
  const validators = () =>
    reply
      .header('accept-ranges', 'bytes')
      .header('etag', file.etag)
      .header('last-modified', file.lastModified)
      .header('cache-control', file.cacheControl);

  if (notModified(request, file)) return validators().code(304).send();

  let start = 0;
  let end = file.size - 1;
  let partial = false;
  const range = request.headers.range;
  if (range !== undefined && rangeApplies(request, file)) {
    const parsed = parseRange(range, file.size);
    if (parsed === 'unsatisfiable') {
      return validators()
        .code(416)
        .header('content-range', `bytes */${file.size}`)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('The requested range is not satisfiable.');
    }
    if (parsed) {
      ({ start, end } = parsed);
      partial = true;
    }
  }
  const length = end - start + 1;
  let handle: FileHandle | undefined;
  if (request.method !== 'HEAD' && length > 0) {
    try {
      handle = await open(file.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StreamingError(404, 'The requested resource does not exist.');
      throw error;
    }
  }
  validators().header('content-type', file.contentType).header('content-length', String(length));
  if (partial) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
  if (!handle) return reply.send();
  // The stream closes the handle when it ends, fails or is destroyed (a client that went away).
  return reply.send(
    handle.createReadStream({
      start: file.offset + start,
      end: file.offset + end,
      highWaterMark: Math.min(READ_CHUNK, length),
    }),
  );
}

function notModified(request: FastifyRequest, file: ServedFile): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === '*' || tag === file.etag);
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && Date.parse(file.lastModified) <= since;
}

/** If-Range: the range applies only to the representation the client already holds part of. */
function rangeApplies(request: FastifyRequest, file: ServedFile): boolean {
  const header = request.headers['if-range'];
  if (header === undefined) return true;
  const ifRange = Array.isArray(header) ? (header[0] ?? '') : header;
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return ifRange === file.etag;
  return Date.parse(ifRange) === Date.parse(file.lastModified);
}

/** One `bytes=` range: the bytes, 'unsatisfiable', or undefined to ignore the header. */
export function parseRange(
  header: string,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end: Math.min(end, size - 1) };
}
