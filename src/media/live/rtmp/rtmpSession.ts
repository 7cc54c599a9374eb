import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { AmfObject, AmfValue } from './amf0.js';
import { AmfError, decodeAmf0, encodeAmf0 } from './amf0.js';
import type { RtmpMessage } from './chunkStream.js';
import { ChunkReader, ChunkWriter, MessageType, RtmpProtocolError } from './chunkStream.js';
import type { FlvTag } from './flv.js';
import { FlvTagType } from './flv.js';

/**
 * The server side of one RTMP publisher connection: the handshake, the NetConnection and
 * NetStream commands an encoder sends (connect, releaseStream, FCPublish, createStream,
 * publish, FCUnpublish, deleteStream), and its audio, video and metadata messages as FLV tags.
 *
 * Tessera speaks RTMP itself, rather than handing the socket to `ffmpeg -listen 1`, because
 * ffmpeg's listener accepts any stream name (it only logs "Unexpected stream"): the stream key
 * must be checked before the encoder is told it may publish. The simple handshake (S2 echoes C1,
 * S1 carries a zero version) is what ffmpeg's, librtmp's (OBS) and most hardware encoders' RTMP
 * clients accept; they verify the server's digest only when S1 announces one.
 */

export interface PublishRequest {
  /** The application the encoder connected to (`live`), without a query string. */
  app: string;
  /** The stream name it publishes (the stream key), without a query string. */
  streamName: string;
}

export interface RtmpSessionHandlers {
  /** Undefined accepts the publish; a string refuses it with that description. */
  authorize(request: PublishRequest): string | undefined;
  /** Publish.Start was sent: media follows. */
  onPublish(session: RtmpSession): void;
  onMedia(tag: FlvTag): void;
  /** The connection ended, for whatever reason (once). */
  onClose(reason: string): void;
}

export interface RtmpSessionOptions {
  /** From the first byte to an accepted publish. */
  publishTimeoutMs: number;
  /** No bytes from the encoder for this long ends the session. */
  idleTimeoutMs: number;
}

const HANDSHAKE_SIZE = 1536;
const OUT_CHUNK_SIZE = 4096;
const WINDOW_ACK_SIZE = 5_000_000;
const STREAM_ID = 1;
const CSID_CONTROL = 2;
const CSID_COMMAND = 3;
const CSID_STREAM = 5;

const stripQuery = (value: string): string => value.split('?')[0]!.replace(/\/+$/, '');

export class RtmpSession {
  private state: 'c0c1' | 'c2' | 'chunks' | 'closed' = 'c0c1';
  private handshake: Buffer[] = [];
  private handshakeBytes = 0;
  private readonly reader = new ChunkReader();
  private readonly writer = new ChunkWriter();
  private received = 0;
  private lastAck = 0;
  private ackWindow = 0;
  private connectedApp: string | undefined;
  private publishing = false;
  private readonly publishTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    private readonly handlers: RtmpSessionHandlers,
    options: RtmpSessionOptions,
  ) {
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs, () => this.close('the encoder sent nothing for too long'));
    this.publishTimer = setTimeout(
      () => this.close('the encoder did not publish in time'),
      options.publishTimeoutMs,
    );
    this.publishTimer.unref();
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('error', () => this.close('connection error'));
    socket.on('close', () => this.close('the encoder disconnected'));
  }

  get isPublishing(): boolean {
    return this.publishing;
  }

  /** Stops reading (the segmenter is behind); TCP pushes back on the encoder. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (this.state !== 'closed') this.socket.resume();
  }

  /**
   * Ends the session; with a status code, the encoder is first told why (an `onStatus` error on
   * its stream, or `_error` before it published).
   */
  close(reason: string, status?: { code: string; description: string }): void {
    if (this.state === 'closed') return;
    if (status && this.state === 'chunks') {
      try {
        this.sendStatus('error', status.code, status.description);
      } catch {
        // the socket is already gone
      }
    }
    this.state = 'closed';
    this.publishing = false;
    clearTimeout(this.publishTimer);
    this.socket.end();
    // A peer that never reads its end would keep the socket; give it a moment, then drop it.
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.handlers.onClose(reason);
  }

  private receive(data: Buffer): void {
    if (this.state === 'closed') return;
    this.received += data.length;
    try {
      if (this.state !== 'chunks') {
        const rest = this.readHandshake(data);
        if (!rest || rest.length === 0) return;
        data = rest;
      }
      for (const message of this.reader.push(data)) {
        if (this.state !== 'chunks') return;
        this.handle(message);
      }
      this.acknowledge();
    } catch (error) {
      const known = error instanceof RtmpProtocolError || error instanceof AmfError;
      this.close(known ? `RTMP protocol error: ${error.message}` : `RTMP session failed: ${String(error)}`);
    }
  }

  /** Consumes handshake bytes; returns what follows C2 (the first chunks), if anything. */
  private readHandshake(data: Buffer): Buffer | undefined {
    this.handshake.push(data);
    this.handshakeBytes += data.length;
    if (this.state === 'c0c1') {
      if (this.handshakeBytes < 1 + HANDSHAKE_SIZE) return undefined;
      const all = Buffer.concat(this.handshake);
      if (all[0] !== 3) {
        throw new RtmpProtocolError(`RTMP version ${all[0]} is not supported (only plain RTMP, version 3)`);
      }
      const c1 = all.subarray(1, 1 + HANDSHAKE_SIZE);
      const s1 = Buffer.alloc(HANDSHAKE_SIZE);
      randomBytes(HANDSHAKE_SIZE - 8).copy(s1, 8);
      this.socket.write(Buffer.concat([Buffer.from([3]), s1, c1]));
      this.state = 'c2';
      const rest = all.subarray(1 + HANDSHAKE_SIZE);
      this.handshake = rest.length > 0 ? [rest] : [];
      this.handshakeBytes = rest.length;
    }
    if (this.handshakeBytes < HANDSHAKE_SIZE) return undefined;
    const all = Buffer.concat(this.handshake);
    this.handshake = [];
    this.handshakeBytes = 0;
    this.state = 'chunks';
    return all.subarray(HANDSHAKE_SIZE);
  }

  private acknowledge(): void {
    if (this.ackWindow <= 0 || this.received - this.lastAck < this.ackWindow) return;
    this.lastAck = this.received;
    const payload = Buffer.alloc(4);
    payload.writeUInt32BE(this.received % 0x100000000);
    this.send(CSID_CONTROL, MessageType.acknowledgement, 0, payload);
  }

  private handle(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.windowAckSize:
        if (message.payload.length >= 4) this.ackWindow = message.payload.readUInt32BE(0);
        return;
      case MessageType.userControl:
        // PingRequest (6) → PingResponse (7) with the same timestamp.
        if (message.payload.length >= 6 && message.payload.readUInt16BE(0) === 6) {
          const pong = Buffer.from(message.payload.subarray(0, 6));
          pong.writeUInt16BE(7, 0);
          this.send(CSID_CONTROL, MessageType.userControl, 0, pong);
        }
        return;
      case MessageType.commandAmf0:
        return this.command(decodeAmf0(message.payload));
      case MessageType.commandAmf3:
        // An AMF3 command message starts with a format byte, then AMF0 values.
        return this.command(decodeAmf0(message.payload.subarray(1)));
      case MessageType.audio:
      case MessageType.video:
        if (this.publishing && message.payload.length > 0) {
          this.handlers.onMedia({
            type: message.typeId === MessageType.audio ? FlvTagType.audio : FlvTagType.video,
            timestamp: message.timestamp,
            data: message.payload,
          });
        }
        return;
      case MessageType.dataAmf0:
        if (this.publishing) this.metadata(message);
        return;
      case MessageType.aggregate:
        if (this.publishing) this.aggregate(message);
        return;
      default:
        // Acknowledgements, peer bandwidth, AMF3 data, shared objects: nothing to do.
        return;
    }
  }

  /** `@setDataFrame("onMetaData", {...})` becomes the FLV script tag `onMetaData {...}`. */
  private metadata(message: RtmpMessage): void {
    const values = decodeAmf0(message.payload);
    const [first, ...rest] = values;
    const body = first === '@setDataFrame' ? rest : values;
    if (body[0] !== 'onMetaData') return;
    this.handlers.onMedia({
      type: FlvTagType.script,
      timestamp: 0,
      data: encodeAmf0(...body),
    });
  }

  /** An aggregate message is FLV tags back to back, stamped relative to the first. */
  private aggregate(message: RtmpMessage): void {
    const buf = message.payload;
    let offset = 0;
    let base: number | undefined;
    while (offset + 11 <= buf.length) {
      const type = buf[offset]!;
      const size = buf.readUIntBE(offset + 1, 3);
      const time = buf.readUIntBE(offset + 4, 3) | (buf[offset + 7]! << 24);
      if (offset + 11 + size + 4 > buf.length) throw new RtmpProtocolError('truncated aggregate message');
      base ??= time;
      const data = buf.subarray(offset + 11, offset + 11 + size);
      if ((type === FlvTagType.audio || type === FlvTagType.video) && data.length > 0) {
        this.handlers.onMedia({
          type,
          timestamp: (message.timestamp + (time - base)) >>> 0,
          data: Buffer.from(data),
        });
      }
      offset += 11 + size + 4;
    }
  }

  private command(values: AmfValue[]): void {
    const [name, transaction] = values;
    const txn = typeof transaction === 'number' ? transaction : 0;
    switch (name) {
      case 'connect':
        return this.connect(txn, values[2]);
      case 'createStream':
        return this.sendCommand(CSID_COMMAND, 0, '_result', txn, null, STREAM_ID);
      case 'publish':
        return this.publish(values[3]);
      case 'FCUnpublish':
      case 'deleteStream':
      case 'closeStream':
        if (this.publishing) this.close('the encoder stopped publishing');
        return;
      case 'play':
      case 'play2':
        return this.close('a player connected to an ingest URL', {
          code: 'NetStream.Play.Failed',
          description: 'This is an ingest URL: it accepts published streams only.',
        });
      default:
        // releaseStream, FCPublish, getStreamLength, _checkbw…: nothing to answer.
        return;
    }
  }

  private connect(txn: number, commandObject: AmfValue): void {
    const info = (commandObject ?? {}) as AmfObject;
    const app = typeof info.app === 'string' ? stripQuery(info.app) : '';
    this.connectedApp = app;
    const windowAck = Buffer.alloc(4);
    windowAck.writeUInt32BE(WINDOW_ACK_SIZE);
    this.send(CSID_CONTROL, MessageType.windowAckSize, 0, windowAck);
    const peerBandwidth = Buffer.alloc(5);
    peerBandwidth.writeUInt32BE(WINDOW_ACK_SIZE);
    peerBandwidth[4] = 2; // dynamic
    this.send(CSID_CONTROL, MessageType.setPeerBandwidth, 0, peerBandwidth);
    const chunkSize = Buffer.alloc(4);
    chunkSize.writeUInt32BE(OUT_CHUNK_SIZE);
    this.send(CSID_CONTROL, MessageType.setChunkSize, 0, chunkSize);
    this.writer.chunkSize = OUT_CHUNK_SIZE;
    this.sendCommand(
      CSID_COMMAND,
      0,
      '_result',
      txn,
      { fmsVer: 'FMS/3,5,7,7009', capabilities: 31, mode: 1 },
      {
        level: 'status',
        code: 'NetConnection.Connect.Success',
        description: 'Connection succeeded.',
        objectEncoding: typeof info.objectEncoding === 'number' ? info.objectEncoding : 0,
      },
    );
  }

  private publish(streamName: AmfValue): void {
    if (this.publishing) return;
    const request: PublishRequest = {
      app: this.connectedApp ?? '',
      streamName: typeof streamName === 'string' ? stripQuery(streamName) : '',
    };
    const refusal = this.handlers.authorize(request);
    if (refusal !== undefined) {
      this.close(`publish refused: ${refusal}`, { code: 'NetStream.Publish.BadName', description: refusal });
      return;
    }
    clearTimeout(this.publishTimer);
    const streamBegin = Buffer.alloc(6);
    streamBegin.writeUInt32BE(STREAM_ID, 2);
    this.send(CSID_CONTROL, MessageType.userControl, 0, streamBegin);
    this.sendStatus('status', 'NetStream.Publish.Start', `${request.streamName} is now published.`);
    this.publishing = true;
    this.handlers.onPublish(this);
  }

  private sendStatus(level: 'status' | 'error', code: string, description: string): void {
    this.sendCommand(CSID_STREAM, STREAM_ID, 'onStatus', 0, null, { level, code, description });
  }

  private sendCommand(csid: number, streamId: number, ...values: AmfValue[]): void {
    this.send(csid, MessageType.commandAmf0, streamId, encodeAmf0(...values));
  }

  private send(csid: number, typeId: number, streamId: number, payload: Buffer): void {
    if (this.socket.destroyed) return;
    this.socket.write(this.writer.encode(csid, { typeId, streamId, timestamp: 0, payload }));
  }
}
