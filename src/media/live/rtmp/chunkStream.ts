/**
 * RTMP's chunk stream (Adobe's RTMP specification, section 5.3): messages cut into chunks of at
 * most the peer's chunk size, interleaved by chunk stream id, with headers that omit what the
 * previous chunk of the same chunk stream already said. The reader reassembles messages; the
 * writer sends each message as one type-0 chunk followed by type-3 continuations.
 */

export interface RtmpMessage {
  typeId: number;
  streamId: number;
  /** Milliseconds, as the sender stamped it (absolute, 32 bits). */
  timestamp: number;
  payload: Buffer;
}

export const MessageType = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  dataAmf3: 15,
  commandAmf3: 17,
  dataAmf0: 18,
  commandAmf0: 20,
  aggregate: 22,
} as const;

export class RtmpProtocolError extends Error {
  override readonly name = 'RtmpProtocolError';
}

/** The largest message a publisher may send: a 4K key frame fits several times over. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Bytes of unfinished messages one connection may hold across its chunk streams. */
const MAX_PENDING_MESSAGE_BYTES = 24 * 1024 * 1024;
const MAX_CHUNK_SIZE = 0x7fffffff;
/** Chunk streams a connection may open (each keeps its last header). */
const MAX_CHUNK_STREAMS = 64;

interface ChunkStreamState {
  timestamp: number;
  /** The last timestamp field (a delta for types 1 and 2, absolute for type 0). */
  timestampField: number;
  length: number;
  typeId: number;
  streamId: number;
  extended: boolean;
  /** The message being reassembled, if one is in progress. */
  parts: Buffer[];
  received: number;
}

export class ChunkReader {
  private chunkSize = 128;
  /** Bytes received and not yet parsed, kept as received until a whole chunk is there. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** How many bytes the next chunk needs at least: a large chunk is not re-parsed per TCP read. */
  private needed = 1;
  private readonly streams = new Map<number, ChunkStreamState>();
  private unfinishedBytes = 0;

  /** Feeds received bytes; returns the messages they completed, in order. Throws on a protocol error. */
  push(data: Buffer): RtmpMessage[] {
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes < this.needed) return [];
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const out: RtmpMessage[] = [];
    let offset = 0;
    for (;;) {
      const result = this.readChunk(buf, offset, out);
      if (result.consumed === 0) {
        this.needed = result.needed;
        break;
      }
      offset += result.consumed;
    }
    const rest = buf.subarray(offset);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  /** Parses one chunk at `start`: its length, or 0 and how many bytes from `start` it needs. */
  private readChunk(buf: Buffer, start: number, out: RtmpMessage[]): { consumed: number; needed: number } {
    const wait = (bytes: number) => ({ consumed: 0, needed: bytes });
    let offset = start;
    if (offset >= buf.length) return wait(1);
    const first = buf[offset++]!;
    const fmt = first >> 6;
    let csid = first & 0x3f;
    if (csid === 0) {
      if (offset + 1 > buf.length) return wait(2);
      csid = 64 + buf[offset++]!;
    } else if (csid === 1) {
      if (offset + 2 > buf.length) return wait(3);
      csid = 64 + buf[offset]! + buf[offset + 1]! * 256;
      offset += 2;
    }
    const headerBytes = [11, 7, 3, 0][fmt]!;
    if (offset + headerBytes > buf.length) return wait(offset - start + headerBytes);
    let state = this.streams.get(csid);
    if (!state) {
      if (fmt !== 0) throw new RtmpProtocolError(`chunk stream ${csid} starts without a full header`);
      if (this.streams.size >= MAX_CHUNK_STREAMS) throw new RtmpProtocolError('too many chunk streams');
      state = {
        timestamp: 0,
        timestampField: 0,
        length: 0,
        typeId: 0,
        streamId: 0,
        extended: false,
        parts: [],
        received: 0,
      };
    }
    let timestampField = state.timestampField;
    let length = state.length;
    let typeId = state.typeId;
    let streamId = state.streamId;
    let extended = state.extended;
    if (fmt <= 2) {
      timestampField = buf.readUIntBE(offset, 3);
      extended = timestampField === 0xffffff;
    }
    if (fmt <= 1) {
      length = buf.readUIntBE(offset + 3, 3);
      typeId = buf[offset + 6]!;
    }
    if (fmt === 0) streamId = buf.readUInt32LE(offset + 7);
    offset += headerBytes;
    if (extended) {
      if (offset + 4 > buf.length) return wait(offset - start + 4);
      const full = buf.readUInt32BE(offset);
      offset += 4;
      if (fmt <= 2) timestampField = full;
    }
    const starting = state.received === 0;
    if (length > MAX_MESSAGE_BYTES)
      throw new RtmpProtocolError(`an RTMP message of ${length} bytes is too large`);
    const size = Math.min(this.chunkSize, length - state.received);
    if (offset + size > buf.length) return wait(offset - start + size);

    // The chunk is whole: commit the header to the chunk stream's state.
    if (!this.streams.has(csid)) this.streams.set(csid, state);
    if (starting) {
      state.timestamp = fmt === 0 ? timestampField : (state.timestamp + timestampField) % 0x100000000;
    }
    state.timestampField = timestampField;
    state.length = length;
    state.typeId = typeId;
    state.streamId = streamId;
    state.extended = extended;
    state.parts.push(buf.subarray(offset, offset + size));
    state.received += size;
    this.unfinishedBytes += size;
    offset += size;
    if (this.unfinishedBytes > MAX_PENDING_MESSAGE_BYTES) {
      throw new RtmpProtocolError('too many unfinished RTMP messages');
    }
    if (state.received >= state.length) {
      this.unfinishedBytes -= state.received;
      const payload = state.parts.length === 1 ? Buffer.from(state.parts[0]!) : Buffer.concat(state.parts);
      state.parts = [];
      state.received = 0;
      const message = { typeId, streamId, timestamp: state.timestamp, payload };
      this.control(message);
      out.push(message);
    }
    return { consumed: offset - start, needed: 1 };
  }

  /** Protocol control that changes how the next chunks are read takes effect at once. */
  private control(message: RtmpMessage): void {
    if (message.typeId === MessageType.setChunkSize) {
      if (message.payload.length < 4) throw new RtmpProtocolError('short Set Chunk Size message');
      const size = message.payload.readUInt32BE(0) & MAX_CHUNK_SIZE;
      if (size < 1) throw new RtmpProtocolError('chunk size 0');
      this.chunkSize = Math.min(size, MAX_MESSAGE_BYTES);
    } else if (message.typeId === MessageType.abort && message.payload.length >= 4) {
      const state = this.streams.get(message.payload.readUInt32BE(0));
      if (state) {
        this.unfinishedBytes -= state.received;
        state.parts = [];
        state.received = 0;
      }
    }
  }
}

/** Serialises messages as chunks of `chunkSize` (type 0, then type 3 continuations). */
export class ChunkWriter {
  chunkSize = 128;

  encode(csid: number, message: RtmpMessage): Buffer {
    if (csid < 2 || csid > 63) throw new RtmpProtocolError(`chunk stream id ${csid} needs a longer header`);
    const extended = message.timestamp >= 0xffffff;
    const header = Buffer.alloc(12 + (extended ? 4 : 0));
    header[0] = csid;
    header.writeUIntBE(extended ? 0xffffff : message.timestamp, 1, 3);
    header.writeUIntBE(message.payload.length, 4, 3);
    header[7] = message.typeId;
    header.writeUInt32LE(message.streamId, 8);
    if (extended) header.writeUInt32BE(message.timestamp, 12);
    const parts: Buffer[] = [header];
    for (let offset = 0; offset < message.payload.length; offset += this.chunkSize) {
      if (offset > 0) {
        const continuation = Buffer.alloc(1 + (extended ? 4 : 0));
        continuation[0] = 0xc0 | csid;
        if (extended) continuation.writeUInt32BE(message.timestamp, 1);
        parts.push(continuation);
      }
      parts.push(message.payload.subarray(offset, offset + this.chunkSize));
    }
    return Buffer.concat(parts);
  }
}
