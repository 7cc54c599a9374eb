import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';

/**
 * A closed-loop GET load for large responses (segments, byte ranges): keep-alive TLS connections,
 * one request in flight on each, the certificate verified against the CA. Bodies are counted,
 * never copied or decoded, so that the client's cost per response is little more than TLS
 * decryption: with autocannon on these 2-core machines the load generator, not the server, set
 * the pace of megabyte responses, and every server looked the same.
 *
 * It speaks only what the routes under test answer: a status line, headers with Content-Length,
 * a body. Anything else (chunked encoding, a closed connection) ends the run with an error.
 */
export interface GetLoadOptions {
  url: URL;
  ca: Buffer;
  servername: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** Every response's body must have this length (a ranged or whole-file GET of known size). */
  expectedBytes?: number;
}

export interface GetLoadResult {
  seconds: number;
  requests: number;
  ok: number;
  failed: number;
  requestsPerSecond: number;
  /** Body bytes per second. */
  bytesPerSecond: number;
  /** Milliseconds. */
  latency: { p50: number; p99: number };
}

const HEADER_END = Buffer.from('\r\n\r\n');

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 100) / 100;
}

export async function runGetLoad(options: GetLoadOptions): Promise<GetLoadResult> {
  const { url } = options;
  const extra = Object.entries(options.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const request = Buffer.from(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${options.servername}:${url.port}\r\n${extra}\r\n`,
    'latin1',
  );
  const latencies: number[] = [];
  const counts = { ok: 0, failed: 0, bytes: 0 };
  const started = performance.now();
  const until = started + options.seconds * 1000;

  const connection = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const socket: TLSSocket = connect({
        host: url.hostname,
        port: Number(url.port),
        ca: options.ca,
        servername: options.servername,
      });
      socket.setNoDelay(true);
      let head: Buffer | undefined;
      /** Body bytes still to come of the current response; -1 while its head is being read. */
      let remaining = -1;
      let bodyLength = 0;
      let status = 0;
      let sentAt = 0;
      let finished = false;
      const finish = (error?: Error) => {
        if (finished) return;
        finished = true;
        socket.destroy();
        if (error) reject(error);
        else resolve();
      };
      const send = () => {
        if (performance.now() >= until) return finish();
        sentAt = performance.now();
        socket.write(request);
      };
      const complete = () => {
        latencies.push(performance.now() - sentAt);
        const okLength = options.expectedBytes === undefined || bodyLength === options.expectedBytes;
        if (status >= 200 && status < 300 && okLength) counts.ok++;
        else counts.failed++;
        counts.bytes += bodyLength;
        remaining = -1;
        send();
      };
      socket.once('secureConnect', send);
      socket.on('data', (chunk: Buffer) => {
        let data = chunk;
        while (data.length > 0) {
          if (remaining < 0) {
            head = head ? Buffer.concat([head, data]) : data;
            const end = head.indexOf(HEADER_END);
            if (end < 0) {
              if (head.length > 64 * 1024) return finish(new Error('a response head over 64 KiB'));
              return;
            }
            const text = head.toString('latin1', 0, end).toLowerCase();
            const length = /\r\ncontent-length: *(\d+)/.exec(text)?.[1];
            if (length === undefined) return finish(new Error(`a response without Content-Length: ${text}`));
            status = Number(text.slice(9, 12));
            bodyLength = Number(length);
            remaining = bodyLength;
            data = head.subarray(end + HEADER_END.length);
            head = undefined;
            if (remaining === 0) complete();
            continue;
          }
          const take = Math.min(remaining, data.length);
          remaining -= take;
          data = data.subarray(take);
          if (remaining === 0) {
            if (data.length > 0) return finish(new Error('more bytes than one response'));
            complete();
          }
        }
      });
      socket.once('error', finish);
      socket.once('close', () => finish(finished ? undefined : new Error('the server closed a connection')));
    });

  await Promise.all(Array.from({ length: options.connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const requests = counts.ok + counts.failed;
  return {
    seconds,
    requests,
    ok: counts.ok,
    failed: counts.failed,
    requestsPerSecond: requests / seconds,
    bytesPerSecond: counts.bytes / seconds,
    latency: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
  };
}
