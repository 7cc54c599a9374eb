/**
 * The contract between Media Services' live control plane (Channels, Programs, StreamingEndpoints
 * and Operations: entities, state machines, long-running operations, restart) and the live media
 * pipeline (RTMP ingest behind an IP allow list, live packaging to HLS/DASH with a DVR window,
 * slate, ad markers, recording programs into assets). The control plane decides *whether* and
 * *when*; the pipeline does it and reports failures by throwing `LiveIngestError`.
 */

/** One entry of a channel's `AccessControl.IP.Allow` list (Azure's shape, already validated). */
export interface IpAllowRange {
  name: string | null;
  /** An IPv4 or IPv6 address. */
  address: string;
  /** CIDR prefix length; null means the single address. */
  subnetPrefixLength: number | null;
}

/** `null`: the list is absent and every address may connect; `[]`: no address may. */
export type IpAllowList = readonly IpAllowRange[] | null;

export type StreamingProtocol = 'RTMP' | 'FragmentedMP4' | 'RTPMPEG2TS';
export type EncodingType = 'None' | 'Standard' | 'Premium';

/** What starting a channel needs from its entity. */
export interface ChannelSpec {
  accountName: string;
  /** `nb:chid:UUID:<guid>`. */
  channelId: string;
  name: string;
  protocol: StreamingProtocol;
  /** None: pass-through (repackaged); Standard/Premium: transcoded to the Default720p ladder. */
  encodingType: EncodingType;
  /** Seconds between key frames the channel asks the encoder for (Input.KeyFrameInterval); null: 2 s. */
  keyFrameIntervalSeconds: number | null;
  inputAllow: IpAllowList;
  previewAllow: IpAllowList;
  /** Output.Hls.FragmentsPerSegment; null: the service default. */
  hlsFragmentsPerSegment: number | null;
}

/** Azure's `{ Protocol, Url }` entries of `Input.Endpoints` and `Preview.Endpoints`. */
export interface LiveEndpoint {
  Protocol: string;
  Url: string;
}

export interface ChannelEndpoints {
  input: LiveEndpoint[];
  preview: LiveEndpoint[];
}

/** What starting a program needs. The asset exists; its container is where the recording goes. */
export interface ProgramSpec {
  accountName: string;
  channelId: string;
  /** `nb:pgid:UUID:<guid>`. */
  programId: string;
  assetId: string;
  /** The DVR window and what the asset keeps (ArchiveWindowLength), in seconds. */
  archiveWindowSeconds: number;
  /** The manifest's base name (`<ManifestName>.ism`); null: derived from the asset as on demand. */
  manifestName: string | null;
}

/** A file a stopped program left in its asset's container, for the asset's Files. */
export interface RecordedFile {
  name: string;
  size: number;
  mimeType: string;
  isPrimary: boolean;
}

/** Why the pipeline could not do what it was asked; `code` is one of the reference's operation error codes. */
export class LiveIngestError extends Error {
  override readonly name = 'LiveIngestError';
  constructor(
    readonly code: 'InsufficientCapacity' | 'InternalError' | 'InvalidOperation' | 'Timeout' | 'BadRequest',
    message: string,
  ) {
    super(message);
  }
}

export interface LiveIngest {
  /**
   * Starts listening for the channel's encoder; resolves once the ingest URL accepts connections,
   * with the endpoints to publish. The same channel started again (after a server restart) gets
   * the same URLs when it can.
   */
  startChannel(spec: ChannelSpec, origin: string): Promise<ChannelEndpoints>;
  /** Stops listening and drops the live window; running programs must have been stopped first. */
  stopChannel(accountName: string, channelId: string): Promise<void>;
  /**
   * Forgets a deleted channel: what the pipeline keeps of it between starts (the port and stream
   * key its ingest URL was made of, a live window a crash left). Only a channel that does not
   * listen can be forgotten (InvalidOperation otherwise); forgetting one twice, or one the
   * pipeline never saw, changes nothing.
   */
  forgetChannel(accountName: string, channelId: string): Promise<void>;
  /** Drops the live window and disconnects the encoder; the channel keeps listening. */
  resetChannel(accountName: string, channelId: string): Promise<void>;
  showSlate(
    accountName: string,
    channelId: string,
    slate: { durationSeconds: number; assetId: string | null },
  ): Promise<void>;
  hideSlate(accountName: string, channelId: string): Promise<void>;
  startAdvertisement(
    accountName: string,
    channelId: string,
    cue: { cueId: number; durationSeconds: number; showSlate: boolean },
  ): Promise<void>;
  endAdvertisement(accountName: string, channelId: string, cue: { cueId: number }): Promise<void>;
  /** Starts recording the channel's live stream into the program's asset. */
  startProgram(spec: ProgramSpec): Promise<void>;
  /**
   * Stops recording and finalises the asset so it plays on demand (dynamic packaging) and can be
   * encoded by a job; returns the files written into its container.
   */
  stopProgram(accountName: string, programId: string): Promise<RecordedFile[]>;
  /** Whether an encoder is pushing to the channel now (dashboards). */
  isIngesting(accountName: string, channelId: string): boolean;
  /**
   * Stops every channel's listeners and encoders (server shutdown, or this node losing the live
   * lease); states stay as recorded. The pipeline may be used again afterwards, when the node
   * takes the lease back.
   */
  close(): Promise<void>;
}
