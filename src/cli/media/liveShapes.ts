import { guidOf } from '../../media/ids.js';
import type { WireEntity } from '../../media/mediaData.js';
import type { MediaServicesAccount } from '../../management/mediaServices.js';
import { azTime } from './shapes.js';

/**
 * Live entities in the shapes of `az ams live-event|live-output|streaming-endpoint show`:
 * camelCase keys, ARM ids below the account (named by the entity's name, unique in v2 as in v3),
 * `resourceState` for v2's `State`, and the v2 key as `v2Id`. A channel prints as a live event, a
 * program as a live output.
 */

const MEDIA_TYPE = 'Microsoft.Media/mediaservices';

type Rec = Record<string, unknown>;
const part = (value: unknown): Rec | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : null;
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const list = (value: unknown): Rec[] => (Array.isArray(value) ? (value as Rec[]) : []);

function accessControl(value: unknown) {
  const control = part(value);
  if (!control) return null;
  const ip = part(control.IP);
  return {
    ip: ip && {
      allow: Array.isArray(ip.Allow)
        ? list(ip.Allow).map((r) => ({
            address: text(r.Address),
            name: text(r.Name),
            subnetPrefixLength: typeof r.SubnetPrefixLength === 'number' ? r.SubnetPrefixLength : null,
          }))
        : null,
    },
  };
}

const endpoints = (value: unknown) =>
  list(value).map((e) => ({ protocol: text(e.Protocol), url: text(e.Url) }));

function crossSite(value: unknown) {
  const policies = part(value);
  return policies
    ? {
        clientAccessPolicy: text(policies.ClientAccessPolicy),
        crossDomainPolicy: text(policies.CrossDomainPolicy),
      }
    : null;
}

/** `az ams live-event show`'s fields for a channel. */
export function azLiveEvent(account: MediaServicesAccount, channel: WireEntity) {
  const input = part(channel.Input) ?? {};
  const preview = part(channel.Preview) ?? {};
  const encoding = part(channel.Encoding);
  const name = text(channel.Name) ?? '';
  return {
    created: azTime(channel.Created),
    crossSiteAccessPolicies: crossSite(channel.CrossSiteAccessPolicies),
    description: text(channel.Description),
    encoding: {
      encodingType: text(channel.EncodingType) ?? 'None',
      presetName: encoding ? text(encoding.SystemPreset) : null,
    },
    id: `${account.id}/liveEvents/${name}`,
    input: {
      accessControl: accessControl(input.AccessControl),
      endpoints: endpoints(input.Endpoints),
      keyFrameIntervalDuration: text(input.KeyFrameInterval),
      streamingProtocol: text(input.StreamingProtocol),
    },
    lastModified: azTime(channel.LastModified),
    location: account.location,
    name,
    preview: { accessControl: accessControl(preview.AccessControl), endpoints: endpoints(preview.Endpoints) },
    resourceGroup: account.resourceGroup,
    resourceState: text(channel.State),
    type: `${MEDIA_TYPE}/liveEvents`,
    useStaticHostname: channel.VanityUrl === true,
    v2Id: String(channel.Id),
  };
}

/** `az ams live-output show`'s fields for a program of `channel`, recording into `asset`. */
export function azLiveOutput(
  account: MediaServicesAccount,
  channel: WireEntity,
  program: WireEntity,
  asset: WireEntity | undefined,
) {
  const name = text(program.Name) ?? '';
  return {
    archiveWindowLength: text(program.ArchiveWindowLength),
    assetId: guidOf(String(program.AssetId)) ?? String(program.AssetId),
    assetName: asset ? (text(asset.Name) ?? '') : null,
    created: azTime(program.Created),
    description: text(program.Description),
    id: `${account.id}/liveEvents/${text(channel.Name) ?? ''}/liveOutputs/${name}`,
    lastModified: azTime(program.LastModified),
    manifestName: text(program.ManifestName),
    name,
    resourceGroup: account.resourceGroup,
    resourceState: text(program.State),
    type: `${MEDIA_TYPE}/liveEvents/liveOutputs`,
    v2Id: String(program.Id),
  };
}

/** `az ams streaming-endpoint show`'s fields. */
export function azStreamingEndpoint(account: MediaServicesAccount, endpoint: WireEntity) {
  const name = text(endpoint.Name) ?? '';
  const cache = part(endpoint.CacheControl);
  return {
    accessControl: accessControl(endpoint.AccessControl),
    cdnEnabled: endpoint.CdnEnabled === true,
    cdnProfile: text(endpoint.CdnProfile),
    cdnProvider: text(endpoint.CdnProvider),
    created: azTime(endpoint.Created),
    crossSiteAccessPolicies: crossSite(endpoint.CrossSiteAccessPolicies),
    customHostNames: Array.isArray(endpoint.CustomHostNames) ? endpoint.CustomHostNames : [],
    description: text(endpoint.Description),
    freeTrialEndTime: azTime(endpoint.FreeTrialEndTime),
    hostName: text(endpoint.HostName),
    id: `${account.id}/streamingEndpoints/${name}`,
    lastModified: azTime(endpoint.LastModified),
    location: account.location,
    maxCacheAge: cache && cache.MaxAge !== null ? Number(cache.MaxAge) : null,
    name,
    resourceGroup: account.resourceGroup,
    resourceState: text(endpoint.State),
    scaleUnits: Number(endpoint.ScaleUnits ?? 0),
    type: `${MEDIA_TYPE}/streamingEndpoints`,
    v2Id: String(endpoint.Id),
  };
}
