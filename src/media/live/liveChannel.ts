import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { FfmpegTools } from '../encoding/ffmpegBinary.js';
import { readChannelState, writeChannelState } from './channelState.js';
import type { PublishedStreams } from './ingest/publisher.js';
import { Publisher } from './ingest/publisher.js';
import { compileAllowList } from './ipAllowList.js';
import type { ChannelEndpoints, ChannelSpec, ProgramSpec } from './liveIngest.js';
import type { LiveSource, LiveView } from './origin/liveView.js';
import type { RecordingPart } from './recording/recorder.js';
import { IngestListener } from './rtmp/ingestListener.js';
import { RtmpSession } from './rtmp/rtmpSession.js';
import { FfmpegProcess } from './segments/ffmpegProcess.js';
import type { LiveLayer } from './segments/liveLadder.js';
import { liveLadder } from './segments/liveLadder.js';
import type { LiveSegment } from './segments/run.js';
import { Run } from './segments/run.js';
import { publisherCommand, slateCommand } from './segments/segmenterArgs.js';
import { ChannelTimeline } from './timeline/channelTimeline.js';

/**
 * One running channel: its ingest port, the encoder publishing to it, the runs ffmpeg writes
 * (one per publish, one per slate) under `<dir>/runs/`, the output timeline players see, ad
 * breaks, and the programs recording it. Channel time is wall-clock seconds since the channel
 * started, so that every run, the DASH availability start and HLS's program date-time agree.
 */

export interface LiveLog {
  info(detail: Record<string, unknown>, message: string): void;
  warn(detail: Record<string, unknown>, message: string): void;
}

export interface LiveChannelOptions {
  spec: ChannelSpec;
  /** `<live root>/<account>/<channel guid>`: the state file and the runs. */
  dir: string;
  /** The address the ingest port binds to. */
  host: string;
  tools: FfmpegTools;
  x264Preset: string;
  /** The preview's DVR window when no program runs. */
  previewWindowSeconds: number;
  log: LiveLog;
}

interface ProgramState {
  spec: ProgramSpec;
  /** Channel seconds. */
  start: number;
}

const POLL_MS = 250;
const TRIM_MS = 5000;
const PUBLISH_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 10_000;
const DEFAULT_SIZE = { width: 1280, height: 720 };

const even = (value: number): number => Math.max(2, Math.round(value / 2) * 2);

export class LiveChannel implements LiveSource {
  readonly epochMs = Date.now();
  readonly segmentSeconds: number;
  targetDuration: number;
  private output: ChannelTimeline | undefined;
  private ladder: readonly LiveLayer[] | 'copy' | undefined;
  private readonly runs = new Map<string, Run>();
  /** Runs whose ffmpeg still writes, with it. */
  private readonly active = new Map<Run, FfmpegProcess>();
  private publisher: Publisher | undefined;
  private liveRun: Run | undefined;
  private slate:
    { run: Run; process: FfmpegProcess; cueId: number | undefined; done: Promise<void> } | undefined;
  private readonly programs = new Map<string, ProgramState>();
  private listener: IngestListener | undefined;
  private timers: NodeJS.Timeout[] = [];
  private holds = 0;
  private closed = false;
  private runCounter = 0;
  private readonly runPrefix = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  port = 0;
  streamKey = '';

  private constructor(private readonly options: LiveChannelOptions) {
    const { keyFrameIntervalSeconds, hlsFragmentsPerSegment } = options.spec;
    const seconds = (keyFrameIntervalSeconds ?? 2) * (hlsFragmentsPerSegment ?? 1);
    this.segmentSeconds = Math.min(Math.max(Math.round(seconds * 1000) / 1000, 1), 10);
    this.targetDuration = Math.ceil(this.segmentSeconds);
  }

  static async start(options: LiveChannelOptions): Promise<LiveChannel> {
    const channel = new LiveChannel(options);
    await channel.listen();
    return channel;
  }

  get spec(): ChannelSpec {
    return this.options.spec;
  }

  private get runsDir(): string {
    return join(this.options.dir, 'runs');
  }

  private async listen(): Promise<void> {
    const { dir, spec, host } = this.options;
    const state = await readChannelState(dir);
    this.streamKey = state.streamKey;
    await rm(this.runsDir, { recursive: true, force: true });
    await mkdir(this.runsDir, { recursive: true });
    const listener = new IngestListener({
      host,
      preferredPort: state.port,
      allowed: compileAllowList(spec.inputAllow),
      onEncoder: (socket) => this.accept(socket),
      onRefused: (address) =>
        this.options.log.info(
          { channel: spec.channelId, address },
          'live: refused an encoder outside the allow list',
        ),
    });
    this.port = await listener.start();
    this.listener = listener;
    if (this.port !== state.port)
      await writeChannelState(dir, { port: this.port, streamKey: this.streamKey });
    this.timers = [
      setInterval(() => void this.poll(), POLL_MS),
      setInterval(() => void this.trim(), TRIM_MS),
    ];
    for (const timer of this.timers) timer.unref();
  }

  endpoints(origin: string): ChannelEndpoints {
    const base = origin.replace(/\/+$/, '');
    const host = new URL(base).hostname;
    const guid = this.spec.channelId.replace(/^nb:chid:UUID:/i, '').toLowerCase();
    return {
      input: [{ Protocol: 'RTMP', Url: `rtmp://${host}:${this.port}/live/${this.streamKey}` }],
      preview: [
        {
          Protocol: 'FragmentedMP4',
          Url: `${base}/media/${this.spec.accountName}/preview/${guid}/preview.ism/manifest`,
        },
      ],
    };
  }

  /** Channel seconds now. */
  now(): number {
    return (Date.now() - this.epochMs) / 1000;
  }

  // LiveSource

  get timeline(): ChannelTimeline {
    return this.output ?? new ChannelTimeline(1);
  }

  run(id: string): Run | undefined {
    return this.runs.get(id);
  }

  describingRun(): Run | undefined {
    const described = (run: Run | undefined) => (run?.videoTracks[0]?.init ? run : undefined);
    return described(this.liveRun) ?? described(this.slate?.run) ?? described(this.output?.current?.run);
  }

  get isIngesting(): boolean {
    return this.publisher?.session.isPublishing ?? false;
  }

  /** The preview's view: everything within the longest running program's window, else a short one. */
  previewView(): LiveView {
    return { from: -Infinity, windowSeconds: this.previewWindow() };
  }

  programView(programId: string): LiveView | undefined {
    const program = this.programs.get(programId);
    return program ? { from: program.start, windowSeconds: program.spec.archiveWindowSeconds } : undefined;
  }

  private previewWindow(): number {
    let window = 0;
    for (const p of this.programs.values()) window = Math.max(window, p.spec.archiveWindowSeconds);
    return window > 0 ? window : this.options.previewWindowSeconds;
  }

  // Ingest

  private accept(socket: Socket): void {
    let publisher: Publisher | undefined;
    new RtmpSession(
      socket,
      {
        authorize: ({ app, streamName }) => {
          if (this.closed) return 'The channel is stopping.';
          if (app !== 'live')
            return `Unknown application '${app}': publish to rtmp://<host>:<port>/live/<stream key>.`;
          if (streamName !== this.streamKey) return 'The stream key is not this channel’s.';
          return undefined;
        },
        onPublish: (session) => {
          // The newest publisher with the key takes over: an encoder reconnecting before its old
          // connection timed out is not locked out.
          const previous = this.publisher;
          publisher = new Publisher(session, {
            start: (streams, at) => this.startPublisherRun(streams, at),
            ended: (ended) => {
              if (this.publisher === ended) this.publisher = undefined;
            },
            log: (message, detail) =>
              this.options.log.warn({ channel: this.spec.channelId, ...detail }, message),
          });
          this.publisher = publisher;
          if (previous) void previous.end();
        },
        onMedia: (tag) => publisher?.accept(tag),
        onClose: () => void publisher?.end(),
      },
      { publishTimeoutMs: PUBLISH_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS },
    );
  }

  /** The channel's output tracks, fixed by the first run after a start or reset. */
  private ensureTimeline(sourceHeight: number | undefined): ChannelTimeline {
    if (!this.ladder) this.ladder = this.spec.encodingType === 'None' ? 'copy' : liveLadder(sourceHeight);
    this.output ??= new ChannelTimeline(this.ladder === 'copy' ? 1 : this.ladder.length);
    return this.output;
  }

  /** A new run's id (unique across restarts: segment URLs are cached as immutable) and folder. */
  private runFolder(): { id: string; dir: string } {
    const id = `${this.runPrefix}${(this.runCounter++).toString(36)}`;
    const dir = join(this.runsDir, id);
    // Synchronously: ffmpeg is spawned in this folder right after.
    mkdirSync(dir, { recursive: true });
    return { id, dir };
  }

  private startPublisherRun(streams: PublishedStreams, firstMediaAtMs: number): FfmpegProcess | string {
    if (this.closed) return 'The channel is stopping.';
    const timeline = this.ensureTimeline(streams.height);
    const command = publisherCommand({
      segmentSeconds: this.segmentSeconds,
      audio: streams.audio,
      video:
        this.ladder === 'copy' || !this.ladder
          ? 'copy'
          : { layers: this.ladder, x264Preset: this.options.x264Preset },
    });
    const at = Math.max((firstMediaAtMs - this.epochMs) / 1000, this.liveRun?.end ?? 0);
    const made = this.runFolder();
    const run = new Run(made.id, 'live', made.dir, at, command.tracks);
    const process = new FfmpegProcess(this.options.tools.ffmpeg, command.args, made.dir);
    this.runs.set(run.id, run);
    this.active.set(run, process);
    this.liveRun = run;
    if (!this.slate) timeline.open(run, at);
    void process.exited.then(async (exit) => {
      await this.finishRun(run);
      if (exit.code !== 0 && exit.signal === null && !this.closed) {
        this.options.log.warn(
          { channel: this.spec.channelId, run: run.id, ...exit },
          'live: the segmenter failed',
        );
      }
    });
    return process;
  }

  /** A run's ffmpeg has exited: its last segments, then its span ends where they do. */
  private async finishRun(run: Run): Promise<void> {
    try {
      await this.scan(run);
    } finally {
      run.ended = true;
      this.active.delete(run);
      if (this.output?.current?.run === run) this.output.close(run.end);
    }
  }

  private async poll(): Promise<void> {
    await Promise.all([...this.active.keys()].map((run) => this.scan(run)));
  }

  private async scan(run: Run): Promise<void> {
    try {
      const { found, problems } = await run.scan();
      for (const { track, segment } of found) {
        this.output?.append(run, track, segment);
        this.targetDuration = Math.max(this.targetDuration, Math.round(segment.end - segment.start));
      }
      // A scan under way when stop() removed the run's folder finds its files gone: not a fault.
      if (problems.length > 0 && !this.closed) {
        this.options.log.warn(
          { channel: this.spec.channelId, run: run.id, problems },
          'live: unreadable segments skipped',
        );
      }
    } catch (error) {
      if (this.closed) return;
      this.options.log.warn(
        { channel: this.spec.channelId, run: run.id, err: error },
        'live: reading segments failed',
      );
    }
  }

  private async trim(): Promise<void> {
    if (this.holds > 0 || !this.output) return;
    const threshold = this.now() - this.previewWindow() - 2 * this.targetDuration;
    for (const run of this.runs.values()) await run.trimBefore(threshold);
    this.output.trim(threshold);
    const inUse = this.output.runsInUse();
    for (const run of [...this.runs.values()]) {
      if (run.ended && run.empty && !inUse.has(run) && run !== this.liveRun) {
        this.runs.delete(run.id);
        await run.remove();
      }
    }
  }

  /** Where something that starts now goes: after what is on air, or now if nothing is being published. */
  private cuePoint(): number {
    const edge = this.output?.videoEdge;
    return this.isIngesting && edge !== undefined ? Math.max(edge, 0) : Math.max(this.now(), edge ?? 0);
  }

  // Slate and ads

  async showSlate(durationSeconds: number, image: string | undefined, cueId?: number): Promise<void> {
    if (this.slate) await this.hideSlate();
    const timeline = this.ensureTimeline(undefined);
    const liveVideo = this.liveRun?.videoTracks[0]?.init?.info;
    const top = this.ladder && this.ladder !== 'copy' ? this.ladder[0] : undefined;
    const width = even(liveVideo?.width ?? top?.width ?? DEFAULT_SIZE.width);
    const height = even(liveVideo?.height ?? top?.height ?? DEFAULT_SIZE.height);
    const command = slateCommand({
      segmentSeconds: this.segmentSeconds,
      width,
      height,
      image,
      durationSeconds: durationSeconds > 0 ? durationSeconds : undefined,
    });
    const at = this.cuePoint();
    const made = this.runFolder();
    const run = new Run(made.id, 'slate', made.dir, at, command.tracks);
    const process = new FfmpegProcess(this.options.tools.ffmpeg, command.args, made.dir);
    this.runs.set(run.id, run);
    this.active.set(run, process);
    timeline.open(run, at);
    const done = process.exited.then(async (exit) => {
      if (exit.code !== 0 && exit.signal === null) {
        this.options.log.warn({ channel: this.spec.channelId, ...exit }, 'live: the slate failed');
      }
      await this.slateEnded(run);
    });
    this.slate = { run, process, cueId, done };
  }

  async hideSlate(): Promise<void> {
    const slate = this.slate;
    if (!slate) return;
    await slate.process.interrupt(STOP_GRACE_MS);
    await slate.done;
  }

  /** The slate is off: the publisher's run goes back on air where the slate's last segment ends. */
  private async slateEnded(run: Run): Promise<void> {
    await this.scan(run);
    run.ended = true;
    this.active.delete(run);
    if (this.slate?.run === run) this.slate = undefined;
    const output = this.output;
    if (!output || output.current?.run !== run) return;
    const end = run.end;
    const live = this.liveRun;
    if (!live || !this.active.has(live) || this.closed) {
      output.close(end);
      return;
    }
    output.open(live, end);
    // Segments the run wrote while the slate was on air and that start at its end are shown.
    for (const track of live.tracks) {
      for (const segment of track.segments) {
        if (segment.start >= end - (segment.end - segment.start) / 2) output.append(live, track, segment);
      }
    }
  }

  async startAdvertisement(cueId: number, durationSeconds: number, showSlate: boolean): Promise<void> {
    const timeline = this.ensureTimeline(undefined);
    const at = this.cuePoint();
    timeline.startBreak(cueId, at, durationSeconds, this.epochMs + at * 1000);
    if (showSlate) await this.showSlate(durationSeconds, undefined, cueId);
  }

  async endAdvertisement(cueId: number): Promise<void> {
    this.output?.endBreak(cueId, this.cuePoint());
    if (this.slate?.cueId === cueId) await this.hideSlate();
  }

  // Programs

  startProgram(spec: ProgramSpec): void {
    if (!this.programs.has(spec.programId)) this.programs.set(spec.programId, { spec, start: this.now() });
  }

  hasPrograms(): boolean {
    return this.programs.size > 0;
  }

  /**
   * What a program recorded, from its start (or the start of its archive window) to now: the
   * publishers' runs in that span, each with its tracks' segments. Waits (a segment or two) for
   * the segment that holds the stop, when an encoder is publishing. Trimming waits until
   * `release`, so the segments stay on disk while they are copied.
   */
  async takeRecording(
    programId: string,
  ): Promise<{ parts: RecordingPart[]; release: () => void } | undefined> {
    const program = this.programs.get(programId);
    if (!program) return undefined;
    const stopAt = this.now();
    this.holds++;
    const release = () => {
      this.holds--;
      this.programs.delete(programId);
    };
    try {
      const deadline = Date.now() + (this.targetDuration * 2 + 2) * 1000;
      while (this.isIngesting && this.liveRun && Date.now() < deadline) {
        const last = this.liveRun.videoTracks[0]?.segments.at(-1);
        if (last && last.end >= stopAt - 0.05) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        await this.scan(this.liveRun);
      }
      const from = Math.max(program.start, stopAt - program.spec.archiveWindowSeconds);
      const parts: RecordingPart[] = [];
      const live = [...this.runs.values()]
        .filter((r) => r.kind === 'live')
        .sort((a, b) => a.offset - b.offset);
      const within = (segments: readonly LiveSegment[]) =>
        segments.filter((s) => s.end > from && s.start < stopAt);
      for (const run of live) {
        const video = run.videoTracks
          .filter((t) => t.init)
          .map((track) => ({ track, segments: within(track.segments) }));
        const audio = run.audioTrack;
        if (!video[0] || video[0].segments.length === 0) continue;
        parts.push({
          run,
          video,
          audio: audio?.init ? { track: audio, segments: within(audio.segments) } : undefined,
        });
      }
      return { parts, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  // Lifecycle

  /** Drops the live window and the encoder; the port stays open. */
  async reset(): Promise<void> {
    await this.stopMedia();
    this.output = undefined;
    this.ladder = undefined;
    this.liveRun = undefined;
    this.runs.clear();
    await rm(this.runsDir, { recursive: true, force: true });
    await mkdir(this.runsDir, { recursive: true });
  }

  private async stopMedia(): Promise<void> {
    const publisher = this.publisher;
    this.publisher = undefined;
    await Promise.all([publisher?.end(), this.hideSlate()]);
    await Promise.all([...this.active.values()].map((p) => p.interrupt(STOP_GRACE_MS)));
  }

  /** Stops listening and every ffmpeg, and deletes the live window; the state file stays. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.listener?.close();
    await this.stopMedia();
    await rm(this.runsDir, { recursive: true, force: true });
  }
}
