import type { MediaError } from '../errors.js';
import { mediaErrors } from '../errors.js';

/**
 * Reading an OData v3 `$batch` request ([MS-ODATA] 2.2.7.6): a multipart/mixed body of query
 * operations (GET) and change sets (a nested multipart/mixed of POST/PUT/MERGE/PATCH/DELETE),
 * each operation an `application/http` part that holds one HTTP request. The .NET SDK submits
 * jobs this way. The body is only scanned with Buffer.indexOf and bounded line reads, never a
 * regex, so a hostile body costs linear time; every malformed input is a 400.
 */

export interface BatchRequestPart {
  method: string;
  /** As written: absolute, relative to the service root, or `$<Content-ID>/…`. */
  url: string;
  /** The embedded request's headers, names lower-cased. */
  headers: Record<string, string>;
  body: Buffer;
  contentId?: string;
}

export type BatchItem =
  { kind: 'query'; request: BatchRequestPart } | { kind: 'changeset'; requests: BatchRequestPart[] };

export interface BatchLimits {
  /** Operations in the whole batch (queries plus every change set's requests). */
  maxParts?: number;
  /** Requests in one change set. */
  maxChangesetSize?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
/** A long `$filter` fits; a megabyte without a line break does not. */
const MAX_LINE = 16 * 1024;
/** Header lines per section (a part's MIME headers, or its request's headers). */
const MAX_HEADERS = 100;
/** RFC 2046 says 70; a little slack costs nothing, as the scan is linear in any case. */
const MAX_BOUNDARY = 200;
const CHANGE_METHODS = new Set(['POST', 'PUT', 'MERGE', 'PATCH', 'DELETE']);
/** `$`-segments that name the service, not an earlier request of the change set. */
const SYSTEM_SEGMENTS = new Set(['$metadata', '$batch']);
/** The SDK writes binary; 7bit and 8bit mean the same bytes. Anything else would need decoding. */
const IDENTITY_ENCODINGS = new Set(['binary', '8bit', '7bit']);

const bad = (message: string): MediaError => mediaErrors.badRequest(`Invalid $batch request: ${message}`);
const clip = (text: string): string => (text.length > 60 ? `${text.slice(0, 60)}…` : text);

export function parseBatch(
  contentType: string | undefined,
  body: Buffer,
  limits: BatchLimits = {},
): BatchItem[] {
  const maxParts = limits.maxParts ?? 1000;
  const maxChangesetSize = limits.maxChangesetSize ?? 1000;
  const boundary = multipartBoundary(contentType, 'the request Content-Type');
  const tooManyParts = () => bad(`the batch holds more than ${maxParts} operations.`);
  let operations = 0;

  return splitParts(body, boundary, maxParts, 'the batch body', tooManyParts).map(
    (part, index): BatchItem => {
      const label = `batch part ${index + 1}`;
      const mime = readHeaders(part, 0, label);
      const type = mediaType(mime.headers['content-type']);
      if (type === 'application/http') {
        if (++operations > maxParts) throw tooManyParts();
        return { kind: 'query', request: readOperation(part, mime, label, undefined) };
      }
      if (type !== 'multipart/mixed') {
        throw bad(
          `${label} has Content-Type '${clip(mime.headers['content-type'] ?? '')}'; expected application/http or multipart/mixed.`,
        );
      }
      const room = maxParts - operations;
      const tooMany = () =>
        room < maxChangesetSize
          ? tooManyParts()
          : bad(`the change set in ${label} holds more than ${maxChangesetSize} requests.`);
      const requests = readChangeset(part, mime, boundary, label, Math.min(room, maxChangesetSize), tooMany);
      operations += requests.length;
      return { kind: 'changeset', requests };
    },
  );
}

function readChangeset(
  part: Buffer,
  mime: HeaderSection,
  batchBoundary: string,
  label: string,
  max: number,
  tooMany: () => MediaError,
): BatchRequestPart[] {
  const boundary = multipartBoundary(mime.headers['content-type'], `the Content-Type of ${label}`);
  if (boundary === batchBoundary) throw bad(`the change set in ${label} reuses the batch boundary.`);
  const changeset = { ids: new Set<string>() };
  const body = mime.complete ? part.subarray(mime.next) : Buffer.alloc(0);
  return splitParts(body, boundary, max, `the change set in ${label}`, tooMany).map((operation, n) => {
    const operationLabel = `${label}, change set request ${n + 1}`;
    const operationMime = readHeaders(operation, 0, operationLabel);
    const type = mediaType(operationMime.headers['content-type']);
    if (type === 'multipart/mixed') throw bad(`${operationLabel} is a change set; change sets cannot nest.`);
    if (type !== 'application/http') {
      throw bad(
        `${operationLabel} has Content-Type '${clip(operationMime.headers['content-type'] ?? '')}'; expected application/http.`,
      );
    }
    return readOperation(operation, operationMime, operationLabel, changeset);
  });
}

/**
 * The Content-ID an URL refers to (`$1/Tasks` → `1`), or undefined when it starts with none.
 * `$metadata` and `$batch` name the service, not a request.
 */
export function contentIdReference(url: string): string | undefined {
  if (!url.startsWith('$')) return undefined;
  let end = url.length;
  for (const separator of ['/', '?']) {
    const at = url.indexOf(separator);
    if (at !== -1 && at < end) end = at;
  }
  const segment = url.slice(0, end);
  return SYSTEM_SEGMENTS.has(segment.toLowerCase()) ? undefined : segment.slice(1);
}

interface HeaderSection {
  headers: Record<string, string>;
  /** Where the bytes after the section start. */
  next: number;
  /** False when the part ended before the blank line that closes the section. */
  complete: boolean;
}

function readOperation(
  part: Buffer,
  mime: HeaderSection,
  label: string,
  changeset: { ids: Set<string> } | undefined,
): BatchRequestPart {
  const encoding = mime.headers['content-transfer-encoding'];
  if (encoding !== undefined && !IDENTITY_ENCODINGS.has(encoding.toLowerCase())) {
    throw bad(`${label} has Content-Transfer-Encoding '${clip(encoding)}'; only binary is supported.`);
  }
  if (!mime.complete) throw bad(`${label} has no blank line after its MIME headers, so no HTTP request.`);
  let line = readLine(part, mime.next, label);
  // Some writers leave an extra blank line before the request line.
  while (line !== undefined && line.start === line.end) line = readLine(part, line.next, label);
  if (line === undefined) throw bad(`${label} holds no HTTP request line.`);
  const { method, url } = requestLine(part.toString('utf8', line.start, line.end), label);
  const request = readHeaders(part, line.next, label);
  // The delimiter ends the body; a Content-Length is ignored (clients send wrong ones).
  const body = request.complete ? part.subarray(request.next) : Buffer.alloc(0);

  const mimeId = mime.headers['content-id'];
  const httpId = request.headers['content-id'];
  if (mimeId !== undefined && httpId !== undefined && mimeId !== httpId) {
    throw bad(`${label} carries two different Content-IDs ('${clip(mimeId)}' and '${clip(httpId)}').`);
  }
  const contentId = mimeId ?? httpId;
  if (contentId === '') throw bad(`${label} has an empty Content-ID.`);

  const reference = contentIdReference(url);
  if (changeset === undefined) {
    if (method !== 'GET') {
      throw bad(
        `${label} is a ${method} outside a change set; only GET requests may stand alone in a batch.`,
      );
    }
    if (reference !== undefined) throw bad(`${label} refers to '$${clip(reference)}' outside a change set.`);
  } else {
    if (!CHANGE_METHODS.has(method)) {
      throw bad(
        `${label} is a ${method}; a change set holds only POST, PUT, MERGE, PATCH and DELETE requests.`,
      );
    }
    if (reference !== undefined && !changeset.ids.has(reference)) {
      throw bad(
        `${label} refers to '$${clip(reference)}', which no earlier request of its change set declares as Content-ID.`,
      );
    }
    if (contentId !== undefined) {
      if (changeset.ids.has(contentId))
        throw bad(`${label} repeats the Content-ID '${clip(contentId)}' of its change set.`);
      changeset.ids.add(contentId);
    }
  }
  return { method, url, headers: request.headers, body, ...(contentId !== undefined ? { contentId } : {}) };
}

function requestLine(text: string, label: string): { method: string; url: string } {
  const tokens = text.trim().split(/[ \t]+/);
  const [method, url, version] = tokens;
  if (tokens.length !== 3 || method === undefined || url === undefined || version === undefined) {
    throw bad(`${label} starts with '${clip(text)}', not an HTTP request line (METHOD URL HTTP/1.1).`);
  }
  if (!/^[A-Za-z]+$/.test(method)) throw bad(`${label} has the invalid HTTP method '${clip(method)}'.`);
  if (!/^HTTP\/1\.[01]$/i.test(version)) throw bad(`${label} names '${clip(version)}'; expected HTTP/1.1.`);
  if (!isRequestTarget(url))
    throw bad(`${label} requests '${clip(url)}', which is neither a path nor an http(s) URL.`);
  return { method: method.toUpperCase(), url };
}

/**
 * A path (absolute, or relative to the service root, `$1/…` included) or an absolute http(s)
 * URL with a host. `//host/…` is refused: resolved against the service it would leave it.
 */
function isRequestTarget(url: string): boolean {
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    // Controls, space, backslash, < > and " have no place in a request target.
    if (c <= 0x20 || c === 0x7f || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x22) return false;
  }
  if (url === '' || url.startsWith('//') || url.startsWith('?') || url.startsWith('#')) return false;
  // `Assets('nb:cid:…')` is a path: its first colon follows characters no scheme has.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) return true;
  if (!/^https?:\/\/[^/?#]/i.test(url)) return false;
  try {
    return new URL(url).host !== '';
  } catch {
    return false;
  }
}

/** `application/http; msgtype=request` → `application/http`. */
function mediaType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/** The boundary of a multipart/mixed Content-Type, quoted or not. */
function multipartBoundary(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '')
    throw bad(`${what} is missing; expected multipart/mixed with a boundary.`);
  if (value.length > 1024) throw bad(`${what} is longer than 1024 characters.`);
  if (mediaType(value) !== 'multipart/mixed') {
    throw bad(`${what} is '${clip(value)}'; expected multipart/mixed with a boundary.`);
  }
  const boundaries = contentTypeParameters(value, what).filter(([name]) => name === 'boundary');
  const [first] = boundaries;
  if (first === undefined) throw bad(`${what} has no boundary parameter.`);
  if (boundaries.length > 1) throw bad(`${what} has more than one boundary parameter.`);
  const boundary = first[1];
  const printable = [...boundary].every((c) => c >= ' ' && c <= '~');
  if (boundary.length === 0 || boundary.length > MAX_BOUNDARY || !printable || boundary.endsWith(' ')) {
    throw bad(
      `${what} has the invalid boundary '${clip(boundary)}' (1 to ${MAX_BOUNDARY} printable ASCII characters).`,
    );
  }
  return boundary;
}

/** `type; a=1; b="x;y"` → [['a','1'],['b','x;y']]; names lower-cased. The value is at most 1 KiB. */
function contentTypeParameters(value: string, what: string): Array<[string, string]> {
  const parameters: Array<[string, string]> = [];
  let pos = value.indexOf(';');
  if (pos === -1) return parameters;
  while (pos < value.length) {
    pos++; // the ';'
    let start = pos;
    while (pos < value.length && value[pos] !== '=' && value[pos] !== ';') pos++;
    const name = value.slice(start, pos).trim().toLowerCase();
    if (pos >= value.length || value[pos] === ';') {
      if (name !== '') parameters.push([name, '']);
      continue;
    }
    pos++; // the '='
    while (value[pos] === ' ' || value[pos] === '\t') pos++;
    if (value[pos] === '"') {
      let text = '';
      for (pos++; pos < value.length && value[pos] !== '"'; pos++) {
        if (value[pos] === '\\' && pos + 1 < value.length) pos++;
        text += value.charAt(pos);
      }
      if (pos >= value.length) throw bad(`${what} has an unterminated quoted parameter.`);
      while (pos < value.length && value[pos] !== ';') pos++;
      parameters.push([name, text]);
    } else {
      start = pos;
      while (pos < value.length && value[pos] !== ';') pos++;
      parameters.push([name, value.slice(start, pos).trim()]);
    }
  }
  return parameters;
}

/**
 * The parts of a multipart body, as views. RFC 2046: a delimiter is `--boundary` at the start of
 * a line, then optional spaces and the line end; the line break before it belongs to it (CRLF,
 * or a bare LF as some tools send). `--boundary--` closes; preamble and epilogue are ignored.
 * `--boundaryX` at a line start, or `--boundary` inside a line, is body text.
 */
function splitParts(
  view: Buffer,
  boundary: string,
  max: number,
  label: string,
  tooMany: () => MediaError,
): Buffer[] {
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let partStart = -1;
  let from = 0;
  for (;;) {
    const at = view.indexOf(dash, from);
    if (at === -1) {
      throw partStart === -1
        ? bad(`${label} contains no '--${clip(boundary)}' delimiter.`)
        : bad(`${label} is missing its closing delimiter '--${clip(boundary)}--'.`);
    }
    from = at + 1;
    if (at !== 0 && view[at - 1] !== LF) continue;
    let pos = at + dash.length;
    const close = view[pos] === DASH && view[pos + 1] === DASH;
    if (close) pos += 2;
    while (view[pos] === 0x20 || view[pos] === 0x09) pos++;
    let next: number;
    if (pos >= view.length) next = view.length;
    else if (view[pos] === LF) next = pos + 1;
    else if (view[pos] === CR && view[pos + 1] === LF) next = pos + 2;
    else if (close) next = view.length;
    else continue;
    if (partStart !== -1) {
      let end = at === 0 ? 0 : at - 1;
      if (end > partStart && view[end - 1] === CR) end--;
      parts.push(view.subarray(partStart, Math.max(end, partStart)));
      if (parts.length > max) throw tooMany();
    }
    if (close) return parts;
    partStart = next;
    from = next;
  }
}

interface Line {
  start: number;
  end: number;
  next: number;
}

/** One line from `pos` (CRLF or LF), at most MAX_LINE bytes; undefined at the end of the view. */
function readLine(view: Buffer, pos: number, label: string): Line | undefined {
  if (pos >= view.length) return undefined;
  const limit = Math.min(view.length, pos + MAX_LINE + 2);
  const lf = view.subarray(pos, limit).indexOf(LF);
  if (lf === -1 && limit < view.length) throw bad(`${label} has a line longer than ${MAX_LINE} bytes.`);
  const next = lf === -1 ? view.length : pos + lf + 1;
  let end = lf === -1 ? view.length : pos + lf;
  if (end > pos && view[end - 1] === CR) end--;
  if (end - pos > MAX_LINE) throw bad(`${label} has a line longer than ${MAX_LINE} bytes.`);
  return { start: pos, end, next };
}

/** Header lines up to a blank line (or the end of the view); folded lines continue the last header. */
function readHeaders(view: Buffer, pos: number, label: string): HeaderSection {
  const headers = new Map<string, string>();
  let last: string | undefined;
  let lines = 0;
  for (let line = readLine(view, pos, label); line !== undefined; line = readLine(view, line.next, label)) {
    if (line.start === line.end)
      return { headers: Object.fromEntries(headers), next: line.next, complete: true };
    if (++lines > MAX_HEADERS) throw bad(`${label} has more than ${MAX_HEADERS} header lines.`);
    // Header bytes are Latin-1 in HTTP; the value is kept as read.
    const text = view.toString('latin1', line.start, line.end);
    if (text.startsWith(' ') || text.startsWith('\t')) {
      if (last === undefined) throw bad(`${label} starts its headers with a continuation line.`);
      headers.set(last, `${headers.get(last) ?? ''} ${text.trim()}`);
      continue;
    }
    const colon = text.indexOf(':');
    const name = text.slice(0, Math.max(colon, 0)).trim().toLowerCase();
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
      throw bad(`${label} has the malformed header line '${clip(text)}'.`);
    }
    const value = text.slice(colon + 1).trim();
    const earlier = headers.get(name);
    headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
    last = name;
  }
  return { headers: Object.fromEntries(headers), next: view.length, complete: false };
}
