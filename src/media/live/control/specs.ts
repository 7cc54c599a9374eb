import type { EntityRecord } from '../../odata/edm.js';
import type {
  ChannelSpec,
  EncodingType,
  IpAllowList,
  ProgramSpec,
  StreamingProtocol,
} from '../liveIngest.js';

/** What the live pipeline is told of a channel or a program, read from its stored entity. */

type Rec = Record<string, unknown>;
const record = (value: unknown): Rec | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : null;

/** A stored `AccessControl` as the pipeline's allow list: null lets everyone in, `[]` nobody. */
export function allowListOf(accessControl: unknown): IpAllowList {
  const allow = record(record(accessControl)?.IP)?.Allow;
  if (!Array.isArray(allow)) return null;
  return allow.map((entry) => {
    const range = record(entry) ?? {};
    return {
      name: typeof range.Name === 'string' ? range.Name : null,
      address: String(range.Address),
      subnetPrefixLength: typeof range.SubnetPrefixLength === 'number' ? range.SubnetPrefixLength : null,
    };
  });
}

export function channelSpec(account: string, channel: EntityRecord): ChannelSpec {
  const input = record(channel.Input) ?? {};
  const keyFrame = input.KeyFrameInterval;
  const fragments = record(record(channel.Output)?.Hls)?.FragmentsPerSegment;
  return {
    accountName: account,
    channelId: channel.Id as string,
    name: channel.Name as string,
    protocol: input.StreamingProtocol as StreamingProtocol,
    encodingType: channel.EncodingType as EncodingType,
    keyFrameIntervalSeconds: typeof keyFrame === 'number' ? keyFrame / 1000 : null,
    inputAllow: allowListOf(input.AccessControl),
    previewAllow: allowListOf(record(channel.Preview)?.AccessControl),
    hlsFragmentsPerSegment: typeof fragments === 'number' ? fragments : null,
  };
}

export function programSpec(account: string, program: EntityRecord): ProgramSpec {
  return {
    accountName: account,
    channelId: program.ChannelId as string,
    programId: program.Id as string,
    assetId: program.AssetId as string,
    archiveWindowSeconds: (program.ArchiveWindowLength as number) / 1000,
    manifestName: typeof program.ManifestName === 'string' ? program.ManifestName : null,
  };
}
