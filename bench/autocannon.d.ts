// autocannon ships no types; this declares the slice of its programmatic API the benches use.
declare module 'autocannon' {
  import type { ConnectionOptions } from 'node:tls';

  /** One request of a sequence; `setupRequest` rebuilds it before each send. */
  export interface RequestSpec {
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    setupRequest?(request: RequestSpec, context: Record<string, unknown>): RequestSpec;
    onResponse?(status: number, body: string, context: Record<string, unknown>): void;
  }

  export interface Options {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
    headers?: Record<string, string>;
    body?: string | Buffer;
    connections?: number;
    pipelining?: number;
    duration?: number;
    timeout?: number;
    /** Passed to `tls.connect`; autocannon overrides `rejectUnauthorized` with false. */
    tlsOptions?: ConnectionOptions;
    servername?: string;
    requests?: RequestSpec[];
  }

  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    total: number;
  }

  export interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    resets: number;
    '1xx': number;
    '2xx': number;
    '3xx': number;
    '4xx': number;
    '5xx': number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Histogram;
    requests: Histogram & { sent: number };
    throughput: Histogram;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
