/**
 * The client side of bench/media.ts: CA-verified HTTPS requests with binary bodies, the v2 REST
 * API as the Postman collection calls it (minimal JSON, x-ms-version 2.19), and the `$batch`
 * body the .NET SDK sends.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Agent } from 'node:https';
import { request } from 'node:https';

export interface BinaryAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request over a CA-verified connection (the agent's, when given), its body in memory. */
export function send(
  url: URL,
  ca: Buffer,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: Agent },
): Promise<BinaryAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        ca,
        servername: 'localhost',
        ...(init.agent ? { agent: init.agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export interface ApiAnswer<T> {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: T;
}

export interface Entity {
  Id: string;
  [name: string]: unknown;
}

/** The v2 REST API of one account, as a Contributor's service principal calls it. */
export class MediaApiClient {
  constructor(
    readonly api: string,
    private readonly ca: Buffer,
    readonly token: string,
    private readonly agent?: Agent,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      authorization: `Bearer ${this.token}`,
      'x-ms-version': '2.19',
      accept: 'application/json',
      dataserviceversion: '3.0',
      maxdataserviceversion: '3.0',
      ...extra,
    };
  }

  async call<T = Entity>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const url = new URL(path.startsWith('https://') ? path : `${this.api}${path}`);
    const answer = await send(url, this.ca, {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(this.agent ? { agent: this.agent } : {}),
    });
    const text = answer.body.toString('utf8');
    const json = (
      text && String(answer.headers['content-type']).includes('json') ? JSON.parse(text) : undefined
    ) as T;
    return { status: answer.status, headers: answer.headers, text, json };
  }

  /** Like call(), but anything other than `expected` is an error of the bench's setup. */
  async expect<T = Entity>(expected: number, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status !== expected) {
      throw new Error(`${method} ${path} answered ${answer.status} (expected ${expected}): ${answer.text}`);
    }
    return answer.json;
  }

  /**
   * One `$batch` with one change set of POSTs (each its own Content-ID), as the .NET SDK sends
   * them; returns how many of the change set's responses were 201.
   */
  async batchCreate(set: string, bodies: readonly unknown[]): Promise<number> {
    const batch = `batch_${randomUUID()}`;
    const changeset = `changeset_${randomUUID()}`;
    const lines: string[] = [`--${batch}`, `Content-Type: multipart/mixed; boundary=${changeset}`, ''];
    bodies.forEach((body, i) => {
      lines.push(
        `--${changeset}`,
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        `POST ${this.api}${set} HTTP/1.1`,
        `Content-ID: ${i + 1}`,
        'Content-Type: application/json',
        'Accept: application/json',
        'DataServiceVersion: 3.0',
        '',
        JSON.stringify(body),
      );
    });
    lines.push(`--${changeset}--`, `--${batch}--`, '');
    const answer = await send(new URL(`${this.api}$batch`), this.ca, {
      method: 'POST',
      headers: this.headers({ 'content-type': `multipart/mixed; boundary=${batch}` }),
      body: lines.join('\r\n'),
      ...(this.agent ? { agent: this.agent } : {}),
    });
    const text = answer.body.toString('utf8');
    if (answer.status !== 202) throw new Error(`$batch answered ${answer.status}: ${text.slice(0, 500)}`);
    return (text.match(/^HTTP\/1\.1 201 /gm) ?? []).length;
  }
}
