import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';

/**
 * A closed-loop HTTP/1.1 load over keep-alive TLS connections, one request in flight on each:
 * what autocannon does with pipelining 1, at a fraction of its CPU per request. On a 2-core
 * machine the load generator takes its CPU from the server it measures, so the bench of the
 * cheapest endpoint (a refresh grant costs the server about 0.6 ms) uses this one. Unlike
 * autocannon 9 it also verifies the server's certificate against the CA.
 *
 * It speaks only what Tessera's token endpoint answers: a status line, headers with
 * Content-Length, a body. Anything else (chunked encoding, a closed connection) ends the run
 * with an error rather than being miscounted.
 */
export interface LoadOptions {
  url: URL;
  ca: Buffer;
  servername: string;
  connections: number;
  seconds: number;
  /** The form body of the next request. */
  body: () => string;
  /** Called with each response; its status decides whether it counts as 2xx. */
  onResponse?: (status: number, body: string) => void;
}

export interface LoadResult {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Milliseconds. */
  latency: { p50: number; p99: number; max: number };
}

const HEADER_END = '\r\n\r\n';

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 100) / 100;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { url } = options;
  const head =
    `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${options.servername}:${url.port}\r\n` +
    'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ';
  const latencies: number[] = [];
  const counts = { ok: 0, non2xx: 0 };
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
      socket.setEncoding('latin1');
      let buffered = '';
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
        const body = options.body();
        sentAt = performance.now();
        socket.write(`${head}${Buffer.byteLength(body)}${HEADER_END}${body}`, 'latin1');
      };
      socket.once('secureConnect', send);
      socket.on('data', (chunk: string) => {
        buffered += chunk;
        const headerEnd = buffered.indexOf(HEADER_END);
        if (headerEnd < 0) return;
        const headers = buffered.slice(0, headerEnd).toLowerCase();
        const length = /\r\ncontent-length: *(\d+)/.exec(headers)?.[1];
        if (length === undefined) {
          return finish(new Error(`a response without Content-Length: ${headers.slice(0, 200)}`));
        }
        const end = headerEnd + HEADER_END.length + Number(length);
        if (buffered.length < end) return;
        if (buffered.length > end) return finish(new Error('more bytes than one response'));
        latencies.push(performance.now() - sentAt);
        const status = Number(buffered.slice(9, 12));
        if (status >= 200 && status < 300) counts.ok++;
        else counts.non2xx++;
        // Token responses are ASCII JSON, so latin1 decoding left them intact.
        options.onResponse?.(status, buffered.slice(headerEnd + HEADER_END.length));
        buffered = '';
        send();
      });
      socket.once('error', finish);
      socket.once('close', () => finish(finished ? undefined : new Error('the server closed a connection')));
    });

  await Promise.all(Array.from({ length: options.connections }, connection));
  const duration = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    duration,
    '2xx': counts.ok,
    non2xx: counts.non2xx,
    errors: 0,
    timeouts: 0,
    latency: {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: percentile(sorted, 100),
    },
  };
}
