import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServedFile } from './servedFile.js';

/**
 * Sends a (range of a) file the way a CDN origin does: validators (ETag, Last-Modified), 304 on
 * If-None-Match / If-Modified-Since, one byte range (206, or 416 when it starts past the end),
 * If-Range, and HEAD without opening the file. A Range header that is malformed or asks for
 * several ranges is ignored (RFC 9110 allows it): the whole file is sent.
 */
export function sendFile(request: FastifyRequest, reply: FastifyReply, file: ServedFile): FastifyReply {
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', file.etag)
    .header('last-modified', file.lastModified)
    .header('cache-control', file.cacheControl);

  if (notModified(request, file)) return reply.code(304).send();

  let start = 0;
  let end = file.size - 1;
  const range = request.headers.range;
  if (range !== undefined && rangeApplies(request, file)) {
    const parsed = parseRange(range, file.size);
    if (parsed === 'unsatisfiable') {
      return reply
        .code(416)
        .header('content-range', `bytes */${file.size}`)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('The requested range is not satisfiable.');
    }
    if (parsed) {
      ({ start, end } = parsed);
      reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
    }
  }
  const length = end - start + 1;
  reply.header('content-type', file.contentType).header('content-length', String(length));
  if (request.method === 'HEAD' || length === 0) return reply.send();
  return reply.send(createReadStream(file.path, { start: file.offset + start, end: file.offset + end }));
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
