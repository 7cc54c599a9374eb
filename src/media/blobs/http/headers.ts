import type { IncomingHttpHeaders } from 'node:http';
import type { BlobProperties } from '../blobStore.js';
import { BlobError, blobErrors } from '../errors.js';

/** One value of a header; a repeated header (which Node joins or lists) is taken as sent. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

const METADATA_PREFIX = 'x-ms-meta-';
/** Metadata names are C# identifiers; all names and values together at most 8 KiB. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const METADATA_BYTES = 8 * 1024;

export function metadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const name of Object.keys(headers)) {
    if (!name.startsWith(METADATA_PREFIX)) continue;
    const key = name.slice(METADATA_PREFIX.length);
    if (!IDENTIFIER.test(key)) throw blobErrors.invalidMetadata();
    const value = header(headers, name) ?? '';
    metadata[key] = value;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > METADATA_BYTES) throw blobErrors.metadataTooLarge();
  return metadata;
}

const MD5 = /^[A-Za-z0-9+/]{22}==$/;

/** A Content-MD5 style header: base64 of 16 bytes, or absent. */
export function md5Header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = header(headers, name);
  if (value === undefined || value === '') return undefined;
  if (!MD5.test(value)) {
    throw new BlobError(
      400,
      'InvalidMd5',
      'The MD5 value specified in the request is invalid. The MD5 value must be 128 bits and Base64-encoded.',
    );
  }
  return value;
}

/** A declared body length, or undefined (chunked, or none). */
export function declaredLength(headers: IncomingHttpHeaders): number | undefined {
  const value = header(headers, 'content-length');
  if (value === undefined) return undefined;
  const length = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(length))
    throw blobErrors.invalidHeader('Content-Length', value);
  return length;
}

export const httpDate = (ms: number): string => new Date(ms).toUTCString();

/** The version of a blob an answer is about: ETag and Last-Modified. */
export const versionHeaders = (props: BlobProperties): Record<string, string> => ({
  etag: props.etag,
  'last-modified': httpDate(props.lastModified),
});

export function metadataHeaders(props: BlobProperties): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(props.metadata ?? {}))
    headers[`${METADATA_PREFIX}${name}`] = value;
  return headers;
}

/** What Get Blob and Get Blob Properties add: the content headers and the service's fixed properties. */
export function contentHeaders(props: BlobProperties): Record<string, string> {
  return {
    ...versionHeaders(props),
    ...metadataHeaders(props),
    'content-type': props.contentType,
    'accept-ranges': 'bytes',
    'x-ms-blob-type': 'BlockBlob',
    'x-ms-lease-status': 'unlocked',
    'x-ms-lease-state': 'available',
    'x-ms-server-encrypted': 'false',
  };
}
