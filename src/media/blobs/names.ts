import { createHash } from 'node:crypto';
import { BLOB_LIMITS, BlobStoreError } from './blobStore.js';

/** The Blob service's container names: 3–63 of a–z, 0–9 and single hyphens, a letter or digit at both ends. */
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;

// Characters XML 1.0 cannot carry: such a name could be written but never listed.
// eslint-disable-next-line no-control-regex
const UNLISTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function checkContainerName(container: string): void {
  if (!CONTAINER.test(container)) {
    throw new BlobStoreError(
      'InvalidResourceName',
      'The specifed resource name contains invalid characters.',
    );
  }
}

export function checkBlobName(name: string): void {
  if (name.length === 0 || name.length > BLOB_LIMITS.nameLength) {
    throw new BlobStoreError(
      'OutOfRangeInput',
      'The specified resource name length is not within the permissible limits.',
    );
  }
  if (UNLISTABLE.test(name) || LONE_SURROGATE.test(name)) {
    throw new BlobStoreError(
      'InvalidResourceName',
      'The specifed resource name contains invalid characters.',
    );
  }
}

const SAFE = /[A-Za-z0-9_.-]/;
// Leaves room for the version prefix of data files within ext4's 255-byte names.
const LONGEST_ENCODED = 200;

/**
 * A blob name as one file name: UTF-8 bytes outside [A-Za-z0-9_.-] and a leading dot are
 * percent-encoded, so no name can hold a separator, be `.` or `..`, or start with the dot that marks
 * the store's own files. Names too long for a file name become `~` + their SHA-256, keeping a short
 * extension so tools that look at it (ffmpeg's muxer guess) still see it.
 */
export function encodeBlobName(name: string): string {
  let encoded = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded +=
      byte < 0x80 && SAFE.test(char) && !(encoded.length === 0 && char === '.')
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (encoded.length <= LONGEST_ENCODED) return encoded;
  const extension = /\.[A-Za-z0-9]{1,10}$/.exec(name)?.[0] ?? '';
  return `~${createHash('sha256').update(name, 'utf8').digest('hex')}${extension}`;
}
