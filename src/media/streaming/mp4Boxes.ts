import type { FileHandle } from 'node:fs/promises';

/**
 * ISO BMFF (MP4) boxes, read just far enough for packaging: the sample entries that carry the
 * codec configuration (codec strings, Smooth's CodecPrivateData) and the movie fragments of a
 * fragmented file (Smooth's fragment table). Anything malformed throws, so a bad file fails
 * packaging with a message instead of producing a manifest that lies.
 */
export interface Box {
  type: string;
  /** Offset of the box's first byte in the buffer (or file). */
  start: number;
  /** Offset of the payload (after size, type, largesize and uuid). */
  payload: number;
  end: number;
}

export class Mp4FormatError extends Error {
  override readonly name = 'Mp4FormatError';
}

/** The boxes laid end to end in `buf[start, end)`. */
export function childBoxes(buf: Buffer, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    const header = boxHeader(buf, offset, end);
    boxes.push(header);
    offset = header.end;
  }
  return boxes;
}

function boxHeader(buf: Buffer, offset: number, limit: number): Box {
  let size = buf.readUInt32BE(offset);
  const type = buf.toString('latin1', offset + 4, offset + 8);
  let payload = offset + 8;
  if (size === 1) {
    if (offset + 16 > limit) throw new Mp4FormatError(`truncated ${type} box`);
    size = Number(buf.readBigUInt64BE(offset + 8));
    payload += 8;
  } else if (size === 0) {
    size = limit - offset;
  }
  if (type === 'uuid') payload += 16;
  const end = offset + size;
  if (size < payload - offset || end > limit) throw new Mp4FormatError(`malformed ${type} box at ${offset}`);
  return { type, start: offset, payload, end };
}

export function findChild(buf: Buffer, parent: Box, type: string): Box | undefined {
  return childBoxes(buf, parent.payload, parent.end).find((box) => box.type === type);
}

/** Follows a path of box types from `parent` (the first match at each level). */
export function findPath(buf: Buffer, parent: Box, path: readonly string[]): Box | undefined {
  let box: Box | undefined = parent;
  for (const type of path) {
    if (!box) return undefined;
    box = findChild(buf, box, type);
  }
  return box;
}

/** Top-level boxes of a file, from their headers only (a media file's mdat is never read). */
export async function topLevelBoxes(file: FileHandle, fileSize: number): Promise<Box[]> {
  const boxes: Box[] = [];
  const header = Buffer.alloc(16);
  let offset = 0;
  while (offset + 8 <= fileSize) {
    const { bytesRead } = await file.read(header, 0, 16, offset);
    if (bytesRead < 8) break;
    const local = boxHeaderFromPrefix(header.subarray(0, bytesRead), offset, fileSize);
    boxes.push(local);
    offset = local.end;
  }
  return boxes;
}

/** A header parsed from the first bytes of a box, with offsets in file coordinates. */
function boxHeaderFromPrefix(prefix: Buffer, fileOffset: number, fileSize: number): Box {
  let size = prefix.readUInt32BE(0);
  const type = prefix.toString('latin1', 4, 8);
  let headerSize = 8;
  if (size === 1) {
    if (prefix.length < 16) throw new Mp4FormatError(`truncated ${type} box`);
    size = Number(prefix.readBigUInt64BE(8));
    headerSize = 16;
  } else if (size === 0) {
    size = fileSize - fileOffset;
  }
  if (type === 'uuid') headerSize += 16;
  const end = fileOffset + size;
  if (size < headerSize || end > fileSize) throw new Mp4FormatError(`malformed ${type} box at ${fileOffset}`);
  return { type, start: fileOffset, payload: fileOffset + headerSize, end };
}

/** Reads one box of a file whole (a moov, a moof: never an mdat). */
export async function readBox(file: FileHandle, box: Box, maxBytes: number): Promise<Buffer> {
  const size = box.end - box.start;
  if (size > maxBytes)
    throw new Mp4FormatError(`${box.type} box of ${size} bytes is larger than ${maxBytes}`);
  const buf = Buffer.alloc(size);
  const { bytesRead } = await file.read(buf, 0, size, box.start);
  if (bytesRead !== size) throw new Mp4FormatError(`truncated ${box.type} box`);
  return buf;
}
