import type { MediaAccount } from '../accounts.js';
import type { ResponseFormat } from '../odata/format.js';
import type { AccountUrls } from '../urls.js';

/** Who is calling which account, and how they want answers. */
export interface ApiSession {
  account: MediaAccount;
  urls: AccountUrls;
  format: ResponseFormat;
  /** The response's DataServiceVersion: dates are `\/Date(ms)\/` below 3.0. */
  dataServiceVersion: '1.0' | '2.0' | '3.0';
}

/** One request of the API, from HTTP or from a `$batch` part. */
export interface ApiRequest {
  method: string;
  /** The raw (still percent-encoded) path below `/api/`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased names. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
}
