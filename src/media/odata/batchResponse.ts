import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

/**
 * Writing the multipart/mixed answer to `$batch` the way WCF Data Services (the service's own
 * stack) wrote it, because the .NET SDK's reader is the strictest client: an operation part has
 * exactly Content-Type and Content-Transfer-Encoding as MIME headers, the status line carries a
 * reason phrase, the Content-ID is the first header of the embedded response (where the SDK sent
 * it and reads it back), and lines end in CRLF. A failed change set is one error response inside
 * its change-set part ([MS-ODATA] 2.2.7.6.6).
 */

export interface BatchResponsePart {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  contentId?: string;
}

export type BatchResult =
  { kind: 'query'; response: BatchResponsePart } | { kind: 'changeset'; responses: BatchResponsePart[] };

const CRLF = '\r\n';

/** The spellings the service used; any other name is written as given. */
const CANONICAL_NAMES: Readonly<Record<string, string>> = {
  'cache-control': 'Cache-Control',
  'content-type': 'Content-Type',
  dataserviceid: 'DataServiceId',
  dataserviceversion: 'DataServiceVersion',
  etag: 'ETag',
  location: 'Location',
  'preference-applied': 'Preference-Applied',
  'retry-after': 'Retry-After',
  'www-authenticate': 'WWW-Authenticate',
  'x-content-type-options': 'X-Content-Type-Options',
};

/**
 * Headers the framing owns. The delimiter ends each body, and readers trust a Content-Length
 * over it, so a stale one would cut a part short; Content-ID is written once, from `contentId`.
 */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'content-id']);

export function serializeBatch(results: readonly BatchResult[]): { contentType: string; body: Buffer } {
  const boundary = `batchresponse_${randomUUID()}`;
  const chunks: Buffer[] = [];
  const write = (text: string) => chunks.push(Buffer.from(text, 'utf8'));
  for (const result of results) {
    write(`--${boundary}${CRLF}`);
    if (result.kind === 'query') {
      writeOperation(chunks, result.response);
      continue;
    }
    const changeset = `changesetresponse_${randomUUID()}`;
    write(`Content-Type: multipart/mixed; boundary=${changeset}${CRLF}${CRLF}`);
    for (const response of result.responses) {
      write(`--${changeset}${CRLF}`);
      writeOperation(chunks, response);
    }
    write(`--${changeset}--${CRLF}`);
  }
  write(`--${boundary}--${CRLF}`);
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

function writeOperation(chunks: Buffer[], response: BatchResponsePart): void {
  let head = `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}`;
  head += `HTTP/1.1 ${response.status} ${reasonPhrase(response.status)}${CRLF}`;
  if (response.contentId !== undefined) head += headerLine('Content-ID', response.contentId);
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase();
    if (!FRAMING_HEADERS.has(lower)) head += headerLine(CANONICAL_NAMES[lower] ?? name, value);
  }
  chunks.push(Buffer.from(`${head}${CRLF}`, 'utf8'));
  chunks.push(typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body);
  // The line break before the next delimiter belongs to the delimiter, not to the body.
  chunks.push(Buffer.from(CRLF, 'latin1'));
}

function reasonPhrase(status: number): string {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`A batch response part has the invalid status ${status}.`);
  }
  return STATUS_CODES[status] ?? 'Unknown Status';
}

/** A header a line break could split would let one response forge parts of the next. */
function headerLine(name: string, value: string): string {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) {
    throw new TypeError(`A batch response part has an invalid header '${name}'.`);
  }
  return `${name}: ${value}${CRLF}`;
}
