import type { AmfObject } from '../rtmp/amf0.js';
import { decodeAmf0 } from '../rtmp/amf0.js';
import type { FlvTag } from '../rtmp/flv.js';
import {
  FlvTagType,
  SoundFormat,
  VideoCodecId,
  flvHeader,
  flvTag,
  isAvcSequenceHeader,
  isEnhancedVideo,
  isKeyFrame,
  soundFormatOf,
  videoCodecOf,
} from '../rtmp/flv.js';
import type { RtmpSession } from '../rtmp/rtmpSession.js';
import type { FfmpegProcess } from '../segments/ffmpegProcess.js';

/**
 * One encoder's publish, between the RTMP session and its segmenter. Tags are held back until
 * the stream is known — H.264 video with a key frame, and whether there is audio (and in what
 * codec) — so that ffmpeg is started with the right command and a stream Tessera cannot
 * package is refused with a reason the encoder's log shows, before anything is spawned. Then
 * tags flow to ffmpeg's stdin as FLV, with ffmpeg's backpressure passed on to the encoder's TCP.
 */

export interface PublishedStreams {
  audio: 'copy' | 'encode' | 'silence';
  /** From the encoder's onMetaData, when it said. */
  width?: number;
  height?: number;
}

export interface PublisherHooks {
  /** The stream is known: the segmenter to write to, or a reason to refuse it. */
  start(streams: PublishedStreams, firstMediaAtMs: number): FfmpegProcess | string;
  /** The publish is over (the segmenter, if any, has exited). */
  ended(publisher: Publisher): void;
  log(message: string, detail?: Record<string, unknown>): void;
}

/** Media time after the first tag within which a key frame must come. */
const VIDEO_DEADLINE_MS = 5000;
/** Wall-clock time after Publish.Start within which the stream must be known. */
const START_DEADLINE_MS = 10_000;
/** After the first key frame, how much media may pass before deciding there is no audio. */
const AUDIO_GRACE_MS = 1000;
/** Tags held back before the start, at most. */
const MAX_HELD_BYTES = 32 * 1024 * 1024;

export class Publisher {
  private held: FlvTag[] = [];
  private heldBytes = 0;
  private metadata: FlvTag | undefined;
  private firstMediaAtMs: number | undefined;
  private firstTimestamp: number | undefined;
  private keyFrameTimestamp: number | undefined;
  private audioFormat: number | undefined;
  private process: FfmpegProcess | undefined;
  private ending: Promise<void> | undefined;
  private draining = false;
  private readonly deadline: NodeJS.Timeout;

  constructor(
    readonly session: RtmpSession,
    private readonly hooks: PublisherHooks,
  ) {
    this.deadline = setTimeout(
      () => this.refuse('The encoder sent no H.264 video in time: a channel needs a video stream.'),
      START_DEADLINE_MS,
    );
    this.deadline.unref();
  }

  get started(): boolean {
    return this.process !== undefined;
  }

  accept(tag: FlvTag): void {
    if (this.ending) return;
    if (this.process) {
      this.forward(tag);
      return;
    }
    if (tag.type === FlvTagType.script) {
      this.metadata = tag;
      return;
    }
    if (tag.type === FlvTagType.video) {
      if (isEnhancedVideo(tag.data) || videoCodecOf(tag.data) !== VideoCodecId.avc) {
        this.refuse(
          'The channel accepts H.264 (AVC) video over RTMP; this stream carries another video codec.',
        );
        return;
      }
      if (isKeyFrame(tag.data) && !isAvcSequenceHeader(tag.data)) this.keyFrameTimestamp ??= tag.timestamp;
    } else {
      this.audioFormat ??= soundFormatOf(tag.data);
    }
    this.firstMediaAtMs ??= Date.now();
    this.firstTimestamp ??= tag.timestamp;
    this.held.push(tag);
    this.heldBytes += tag.data.length;
    this.decide(tag.timestamp);
  }

  private decide(timestamp: number): void {
    const first = this.firstTimestamp ?? timestamp;
    if (this.keyFrameTimestamp === undefined) {
      if (timestamp - first >= VIDEO_DEADLINE_MS || this.heldBytes > MAX_HELD_BYTES) {
        this.refuse(
          'The stream has no H.264 video (no key frame in its first seconds): a channel needs video.',
        );
      }
      return;
    }
    const audioKnown =
      this.audioFormat !== undefined ||
      timestamp - this.keyFrameTimestamp >= AUDIO_GRACE_MS ||
      this.metadataSaysNoAudio();
    if (!audioKnown) return;
    clearTimeout(this.deadline);
    const streams: PublishedStreams = {
      audio:
        this.audioFormat === undefined ? 'silence' : this.audioFormat === SoundFormat.aac ? 'copy' : 'encode',
      ...this.pictureSize(),
    };
    const started = this.hooks.start(streams, this.firstMediaAtMs ?? Date.now());
    if (typeof started === 'string') {
      this.refuse(started);
      return;
    }
    this.process = started;
    started.write(flvHeader({ audio: streams.audio !== 'silence', video: true }));
    if (this.metadata) started.write(flvTag(this.metadata));
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const tag of held) this.forward(tag);
    void started.exited.then((exit) => {
      if (this.ending) return;
      this.hooks.log('live: the segmenter stopped while the encoder was publishing', { ...exit });
      this.session.close('the segmenter stopped', {
        code: 'NetStream.Publish.Failed',
        description: 'The channel could not process the stream.',
      });
    });
  }

  private forward(tag: FlvTag): void {
    if (!this.process) return;
    if (!this.process.write(flvTag(tag)) && !this.draining) {
      this.draining = true;
      this.session.pause();
      this.process.onDrain(() => {
        this.draining = false;
        this.session.resume();
      });
    }
  }

  private onMetaData(): AmfObject | undefined {
    if (!this.metadata) return undefined;
    try {
      const [, values] = decodeAmf0(this.metadata.data);
      return values && typeof values === 'object' && !Array.isArray(values) && !(values instanceof Date)
        ? values
        : undefined;
    } catch {
      return undefined;
    }
  }

  private metadataSaysNoAudio(): boolean {
    const values = this.onMetaData();
    return values !== undefined && 'videocodecid' in values && !('audiocodecid' in values);
  }

  private pictureSize(): { width?: number; height?: number } {
    const values = this.onMetaData();
    const width = values?.width;
    const height = values?.height;
    return typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0
      ? { width: Math.round(width), height: Math.round(height) }
      : {};
  }

  private refuse(description: string): void {
    this.session.close(`refused: ${description}`, { code: 'NetStream.Publish.Rejected', description });
  }

  /** The encoder is gone (or was refused, or replaced): ends the segmenter; once. */
  end(): Promise<void> {
    this.ending ??= (async () => {
      clearTimeout(this.deadline);
      this.held = [];
      this.session.close('the publish ended');
      if (this.process) await this.process.endInput(10_000);
      this.hooks.ended(this);
    })();
    return this.ending;
  }
}
