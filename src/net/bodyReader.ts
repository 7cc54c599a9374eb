import type { Readable } from 'node:stream';

/**
 * A request body larger than its operation allows. Each slice answers it with its own 413 (ARM
 * envelope, problem+json, OData error, AADSTS JSON) naming `limit`.
 */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`The request body exceeds the limit of ${limit} bytes.`);
  }
}

/**
 * Reads a request body of at most `limit` bytes into one buffer of its own (never a view of the
 * socket's read buffer: a worker may be handed a copy of it). A Content-Length over the limit is
 * refused before a byte is read; a body without one (chunked) is cut off at the first chunk past
 * the limit, and the stream is paused, not drained: the refusal goes out with `Connection: close`
 * and the rest of the body is never read.
 */
export function readBody(
  payload: Readable,
  contentLength: string | undefined,
  limit: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (contentLength !== undefined && Number(contentLength) > limit) {
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      if (received > limit) {
        stop();
        payload.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (error: Error & { statusCode?: number }) => {
      stop();
      // A body cut short by the client is the client's fault, as Fastify's own reader says.
      error.statusCode ??= 400;
      reject(error);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}
