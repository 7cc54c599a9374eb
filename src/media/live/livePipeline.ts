import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '../blobs/blobStore.js';
import type { FfmpegTools } from '../encoding/ffmpegBinary.js';
import { containerOf, guidOf } from '../ids.js';
import type { AddressCheck } from './ipAllowList.js';
import { compileAllowList } from './ipAllowList.js';
import type { LiveLog } from './liveChannel.js';
import { LiveChannel } from './liveChannel.js';
import type { ChannelEndpoints, ChannelSpec, LiveIngest, ProgramSpec, RecordedFile } from './liveIngest.js';
import { LiveIngestError } from './liveIngest.js';
import type { LiveSource, LiveView } from './origin/liveView.js';
import { recordProgram } from './recording/recorder.js';

/**
 * The live media pipeline behind the control plane (`LiveIngest`): channels that listen for
 * RTMP encoders behind their IP allow lists, package what they receive into live HLS and DASH
 * with a DVR window, show slates, mark ad breaks, and programs that record into their assets.
 * It also answers the two origins that read live output: the channel preview (previewPlugin.ts)
 * and the streaming endpoint, for assets a running program records (`assetOrigin`).
 */

export interface LivePipelineOptions {
  /** `<data folder>/media/live`: one folder per account and channel (state file, live window). */
  root: string;
  blobs: BlobStore;
  tools: () => Promise<FfmpegTools>;
  log: LiveLog;
  /** The address ingest ports bind to (the server's listen address); default 127.0.0.1. */
  ingestHost?: string;
  /** The preview's DVR window when no program runs, seconds; default 30. */
  previewWindowSeconds?: number;
  /** x264's speed for Standard channels; default veryfast. */
  x264Preset?: string;
  /** A recording was written into a container (the streaming endpoint's listing is stale). */
  onAssetWritten?: (accountName: string, container: string) => void;
}

/** A live view that an origin serves: the channel, what part of it, and the program's manifest name. */
export interface LiveOutput {
  source: LiveSource;
  view: LiveView;
  manifestName: string | null;
}

interface ProgramEntry {
  spec: ProgramSpec;
  channel: LiveChannel;
}

const accountKey = (name: string): string => name.toLowerCase();
const channelKey = (account: string, channelId: string): string =>
  `${accountKey(account)}\0${guidOf(channelId) ?? channelId.toLowerCase()}`;
const assetKey = (account: string, assetGuid: string): string =>
  `${accountKey(account)}\0${assetGuid.toLowerCase()}`;
/** Folder names from ids: Azure's account names are [a-z0-9]; anything else is replaced. */
const folder = (value: string): string => value.toLowerCase().replace(/[^a-z0-9-]/g, '_');

export class LivePipeline implements LiveIngest {
  private readonly channels = new Map<string, LiveChannel>();
  private readonly starting = new Map<string, Promise<LiveChannel>>();
  private readonly programs = new Map<string, ProgramEntry>();
  private readonly liveAssets = new Map<string, ProgramEntry>();
  private readonly previewAllow = new Map<string, AddressCheck>();

  constructor(private readonly options: LivePipelineOptions) {}

  async startChannel(spec: ChannelSpec, origin: string): Promise<ChannelEndpoints> {
    if (spec.protocol !== 'RTMP') {
      throw new LiveIngestError(
        'BadRequest',
        `Tessera's channels ingest RTMP; the streaming protocol ${spec.protocol} is not supported.`,
      );
    }
    let previewAllow: AddressCheck;
    try {
      compileAllowList(spec.inputAllow);
      previewAllow = compileAllowList(spec.previewAllow);
    } catch (error) {
      throw new LiveIngestError('BadRequest', `The IP allow list is not valid: ${(error as Error).message}`);
    }
    const key = channelKey(spec.accountName, spec.channelId);
    const channel = this.channels.get(key) ?? (await this.start(key, spec));
    this.previewAllow.set(key, previewAllow);
    return channel.endpoints(origin);
  }

  private start(key: string, spec: ChannelSpec): Promise<LiveChannel> {
    let starting = this.starting.get(key);
    if (!starting) {
      starting = (async () => {
        let tools: FfmpegTools;
        try {
          tools = await this.options.tools();
        } catch (error) {
          throw new LiveIngestError('InternalError', `The channel cannot start: ${(error as Error).message}`);
        }
        try {
          const channel = await LiveChannel.start({
            spec,
            dir: join(
              this.options.root,
              folder(spec.accountName),
              folder(guidOf(spec.channelId) ?? spec.channelId),
            ),
            host: this.options.ingestHost ?? '127.0.0.1',
            tools,
            x264Preset: this.options.x264Preset ?? 'veryfast',
            previewWindowSeconds: this.options.previewWindowSeconds ?? 30,
            log: this.options.log,
          });
          this.channels.set(key, channel);
          return channel;
        } catch (error) {
          throw new LiveIngestError(
            'InternalError',
            `The channel's ingest port could not be opened: ${(error as Error).message}`,
          );
        }
      })().finally(() => this.starting.delete(key));
      this.starting.set(key, starting);
    }
    return starting;
  }

  private running(accountName: string, channelId: string): LiveChannel {
    const channel = this.channels.get(channelKey(accountName, channelId));
    if (!channel) throw new LiveIngestError('InvalidOperation', 'The channel is not running.');
    return channel;
  }

  private channelDir(accountName: string, channelId: string): string {
    return join(this.options.root, folder(accountName), folder(guidOf(channelId) ?? channelId));
  }

  async stopChannel(accountName: string, channelId: string): Promise<void> {
    const key = channelKey(accountName, channelId);
    const channel = this.channels.get(key);
    if (!channel) {
      // Not running here: a live window a crash left behind goes; the ingest URL (state) stays.
      await rm(join(this.channelDir(accountName, channelId), 'runs'), { recursive: true, force: true });
      return;
    }
    if (channel.hasPrograms()) {
      throw new LiveIngestError('InvalidOperation', 'The channel has running programs: stop them first.');
    }
    this.channels.delete(key);
    this.previewAllow.delete(key);
    await channel.stop();
  }

  /**
   * Forgets a deleted channel: its folder, with the port and stream key its ingest URL was made
   * of. Refused while the channel runs.
   */
  async forgetChannel(accountName: string, channelId: string): Promise<void> {
    if (this.channels.has(channelKey(accountName, channelId))) {
      throw new LiveIngestError('InvalidOperation', 'The channel is running: stop it first.');
    }
    await rm(this.channelDir(accountName, channelId), { recursive: true, force: true });
  }

  async resetChannel(accountName: string, channelId: string): Promise<void> {
    await this.running(accountName, channelId).reset();
  }

  async showSlate(
    accountName: string,
    channelId: string,
    slate: { durationSeconds: number; assetId: string | null },
  ): Promise<void> {
    const channel = this.running(accountName, channelId);
    const image = slate.assetId ? await this.slateImage(slate.assetId) : undefined;
    await channel.showSlate(slate.durationSeconds, image);
  }

  /** The slate asset's first JPEG (or PNG) file, as Azure took the asset's image. */
  private async slateImage(assetId: string): Promise<string> {
    const container = containerOf(assetId);
    const image = (await this.options.blobs.list(container)).find((b) => /\.(jpe?g|png)$/i.test(b.name));
    if (!image) {
      throw new LiveIngestError('BadRequest', `The slate asset ${assetId} holds no JPEG image.`);
    }
    return this.options.blobs.localPath(container, image.name);
  }

  async hideSlate(accountName: string, channelId: string): Promise<void> {
    await this.running(accountName, channelId).hideSlate();
  }

  async startAdvertisement(
    accountName: string,
    channelId: string,
    cue: { cueId: number; durationSeconds: number; showSlate: boolean },
  ): Promise<void> {
    await this.running(accountName, channelId).startAdvertisement(
      cue.cueId,
      cue.durationSeconds,
      cue.showSlate,
    );
  }

  async endAdvertisement(accountName: string, channelId: string, cue: { cueId: number }): Promise<void> {
    await this.running(accountName, channelId).endAdvertisement(cue.cueId);
  }

  async startProgram(spec: ProgramSpec): Promise<void> {
    const channel = this.running(spec.accountName, spec.channelId);
    const guid = guidOf(spec.assetId);
    if (!guid) throw new LiveIngestError('BadRequest', `'${spec.assetId}' is not an asset id.`);
    const key = assetKey(spec.accountName, guid);
    const recording = this.liveAssets.get(key);
    if (recording && recording.spec.programId !== spec.programId) {
      throw new LiveIngestError('InvalidOperation', 'Another running program records into this asset.');
    }
    channel.startProgram(spec);
    const entry = { spec, channel };
    this.programs.set(spec.programId, entry);
    this.liveAssets.set(key, entry);
  }

  async stopProgram(accountName: string, programId: string): Promise<RecordedFile[]> {
    const entry = this.programs.get(programId);
    if (!entry || accountKey(entry.spec.accountName) !== accountKey(accountName)) {
      throw new LiveIngestError('InvalidOperation', 'The program is not running.');
    }
    const { spec, channel } = entry;
    const recording = await channel.takeRecording(programId);
    try {
      if (!recording) return [];
      const container = containerOf(spec.assetId);
      const files = await recordProgram(recording.parts, {
        tools: await this.options.tools(),
        blobs: this.options.blobs,
        container,
        workRoot: join(this.options.root, 'work'),
        baseName: (spec.manifestName ?? 'archive').replace(/[/\\\p{Cc}]/gu, '_'),
        passThrough: channel.spec.encodingType === 'None',
      });
      if (files.length > 0) this.options.onAssetWritten?.(spec.accountName, container);
      return files;
    } catch (error) {
      if (error instanceof LiveIngestError) throw error;
      throw new LiveIngestError(
        'InternalError',
        `The program's recording could not be written: ${(error as Error).message}`,
      );
    } finally {
      recording?.release();
      this.programs.delete(programId);
      const guid = guidOf(spec.assetId);
      if (guid && this.liveAssets.get(assetKey(spec.accountName, guid)) === entry) {
        this.liveAssets.delete(assetKey(spec.accountName, guid));
      }
    }
  }

  isIngesting(accountName: string, channelId: string): boolean {
    return this.channels.get(channelKey(accountName, channelId))?.isIngesting ?? false;
  }

  async close(): Promise<void> {
    const channels = [...this.channels.values()];
    this.channels.clear();
    this.programs.clear();
    this.liveAssets.clear();
    await Promise.all(channels.map((c) => c.stop()));
  }

  /** The preview of a running channel (by account and channel guid) and who may watch it. */
  preview(accountName: string, channelGuid: string): (LiveOutput & { allowed: AddressCheck }) | undefined {
    const key = channelKey(accountName, channelGuid);
    const channel = this.channels.get(key);
    if (!channel) return undefined;
    return {
      source: channel,
      view: channel.previewView(),
      manifestName: 'preview',
      allowed: this.previewAllow.get(key) ?? (() => true),
    };
  }

  /** The live output of the asset a running program records, if any (the streaming endpoint's hook). */
  liveAsset(accountName: string, assetGuid: string): LiveOutput | undefined {
    const entry = this.liveAssets.get(assetKey(accountName, assetGuid));
    if (!entry) return undefined;
    const view = entry.channel.programView(entry.spec.programId);
    return view ? { source: entry.channel, view, manifestName: entry.spec.manifestName } : undefined;
  }
}
