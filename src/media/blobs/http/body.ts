import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { blobErrors } from '../errors.js';

/**
 * Request bodies, read by the handlers themselves: Fastify's parser for this plugin consumes
 * nothing, so an upload reaches the store as a stream, with backpressure, after authentication.
 */

/** Whether the request says a body follows (a length above zero, or chunks). */
export function announcesBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * The body as a stream the store may destroy without destroying the connection (the 413 still has
 * to be answered on it). A client that goes away mid-body fails the stream, so the write is undone.
 */
export function bodyStream(raw: IncomingMessage): Readable {
  const body = new PassThrough();
  const incomplete = () => {
    if (!raw.readableEnded) body.destroy(blobErrors.incompleteBody());
  };
  raw.once('error', incomplete);
  raw.once('close', incomplete);
  body.once('close', () => {
    raw.unpipe(body);
    raw.off('error', incomplete);
    raw.off('close', incomplete);
  });
  raw.pipe(body);
  return body;
}

/** A small body (a block list) in memory, refused past `limit` bytes. */
export async function readSmallBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const body = bodyStream(raw);
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw blobErrors.bodyTooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
