import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { mediaErrors } from '../errors.js';
import { newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import { liveErrors, newOperation } from './operations.js';
import type { LongRunningSetRules } from './operations.js';
import type { EntitySetRules, RuleContext } from './rules.js';
import { checkWriteOnce, has, optionalBoolean, optionalString } from './values.js';
import type { Values } from './values.js';

/**
 * Channels: where a live encoder pushes. A channel is created Stopped; Start makes the live
 * pipeline listen (Starting → Running, with the ingest and preview URLs in Input.Endpoints and
 * Preview.Endpoints), Stop ends it (Stopping → Stopped). Settings change only while Stopped.
 * Slates and ad markers belong to live encoding channels (EncodingType Standard or Premium).
 */

export const ChannelState = {
  Stopped: 'Stopped',
  Starting: 'Starting',
  Running: 'Running',
  Stopping: 'Stopping',
  /**
   * Azure's, while it deprovisioned. Only a Stopped entity is deleted here, which holds nothing in
   * the pipeline: the delete ends in its own unit of work and this state is never observed.
   */
  Deleting: 'Deleting',
} as const;

const PROTOCOLS = ['FragmentedMP4', 'RTMP', 'RTPMPEG2TS'] as const;
const ENCODING_TYPES = ['None', 'Standard', 'Premium'] as const;
const AD_MARKER_SOURCES = ['Api', 'Scte35'] as const;
const SYSTEM_PRESETS = ['Default720p'] as const;
/** Azure's default quota of channels per account. */
export const MAX_CHANNELS = 5;
/** Key frames the service accepted, in ms. */
const KEY_FRAME_MS = { min: 500, max: 20_000 };
const MAX_FRAGMENTS_PER_SEGMENT = 10;
const MAX_AUDIO_STREAMS = 8;
/** Slates and ad breaks: what one request may ask for, in ms. */
const MAX_BREAK_MS = 24 * 60 * 60 * 1000;
const DEFAULT_SLATE_MS = 10 * 60 * 1000;
const MAX_DESCRIPTION = 256;

type Rec = Record<string, unknown>;
const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Channel, program and streaming endpoint names: letters, digits and hyphens, starting with a
 * letter or digit (they became host names and URL segments in Azure).
 */
export function liveName(values: Values, what: string, max: number): string {
  const name = values.Name;
  if (name === undefined || name === null || name === '') throw mediaErrors.missingProperty('Name');
  if (typeof name !== 'string') throw mediaErrors.invalidProperty('Name', 'a string is expected.');
  if (name.length > max || !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(name)) {
    throw liveErrors.invalidResourceName(
      what,
      name,
      `1 to ${max} letters, digits and hyphens, starting with a letter or a digit.`,
    );
  }
  return name;
}

export const description = (values: Values): string | null =>
  optionalString(values, 'Description', MAX_DESCRIPTION) ?? null;

/** A value given case-insensitively, as the service's enum parsing took it, in its canonical spelling. */
function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  const match =
    typeof value === 'string'
      ? allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase())
      : undefined;
  if (match === undefined) {
    throw mediaErrors.invalidProperty(path, `'${String(value)}' is not one of ${allowed.join(', ')}.`);
  }
  return match;
}

/** One `IPRange` of an allow list: an IPv4 or IPv6 address, with a prefix length in its range. */
function ipRange(value: unknown, path: string): Rec {
  if (!isRecord(value)) throw mediaErrors.invalidProperty(path, 'an IPRange object is expected.');
  const address = value.Address;
  if (typeof address !== 'string' || address === '')
    throw mediaErrors.invalidProperty(`${path}.Address`, 'an IPv4 or IPv6 address is required.');
  const version = isIP(address);
  if (version === 0) {
    throw mediaErrors.invalidProperty(
      `${path}.Address`,
      `'${address.slice(0, 64)}' is not an IPv4 or IPv6 address (a prefix length goes in SubnetPrefixLength).`,
    );
  }
  const prefix = value.SubnetPrefixLength;
  const maxPrefix = version === 4 ? 32 : 128;
  if (prefix !== null && prefix !== undefined) {
    if (typeof prefix !== 'number' || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
      throw mediaErrors.invalidProperty(
        `${path}.SubnetPrefixLength`,
        `${String(prefix)} is not a prefix length of an IPv${version} address (0 to ${maxPrefix}).`,
      );
    }
  }
  const name = value.Name;
  if (name !== null && name !== undefined && (typeof name !== 'string' || name.length > 256))
    throw mediaErrors.invalidProperty(`${path}.Name`, 'a string of at most 256 characters is expected.');
  return { Name: name ?? null, Address: address, SubnetPrefixLength: prefix ?? null };
}

/**
 * `AccessControl` of a channel's input or preview, or of a streaming endpoint: null (or no IP
 * part) lets every address in; `IP.Allow` lists the ranges that may connect, `[]` none.
 */
export function ipAccessControl(value: unknown, path: string, extra: Rec = {}): Rec | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) throw mediaErrors.invalidProperty(path, 'an access control object is expected.');
  const ip = value.IP;
  if (ip === null || ip === undefined) return { ...extra, IP: null };
  if (!isRecord(ip))
    throw mediaErrors.invalidProperty(`${path}.IP`, 'an IPAccessControl object is expected.');
  const allow = ip.Allow;
  if (allow === null || allow === undefined) return { ...extra, IP: { Allow: null } };
  if (!Array.isArray(allow))
    throw mediaErrors.invalidProperty(`${path}.IP.Allow`, 'a collection is expected.');
  if (allow.length > 100)
    throw mediaErrors.invalidProperty(`${path}.IP.Allow`, 'at most 100 ranges are allowed.');
  return { ...extra, IP: { Allow: allow.map((entry, i) => ipRange(entry, `${path}.IP.Allow[${i}]`)) } };
}

const liveEncoding = (encodingType: unknown): boolean => encodingType !== 'None';

function input(value: unknown, encodes: boolean, endpoints: unknown): Rec {
  if (!isRecord(value)) throw mediaErrors.missingProperty('Input');
  const given = value.StreamingProtocol;
  if (given === null || given === undefined || given === '')
    throw mediaErrors.missingProperty('Input.StreamingProtocol');
  const protocol = oneOf(given, PROTOCOLS, 'Input.StreamingProtocol');
  if (protocol === 'RTPMPEG2TS' && !encodes) {
    throw mediaErrors.invalidProperty(
      'Input.StreamingProtocol',
      'RTPMPEG2TS is taken by live encoding channels only (EncodingType Standard or Premium).',
    );
  }
  const keyFrame = value.KeyFrameInterval;
  if (
    keyFrame !== null &&
    keyFrame !== undefined &&
    (typeof keyFrame !== 'number' || keyFrame < KEY_FRAME_MS.min || keyFrame > KEY_FRAME_MS.max)
  ) {
    throw mediaErrors.invalidProperty(
      'Input.KeyFrameInterval',
      'a duration from PT0.5S to PT20S (or null for the default, 2 seconds) is expected.',
    );
  }
  return {
    KeyFrameInterval: keyFrame ?? null,
    StreamingProtocol: protocol,
    AccessControl: ipAccessControl(value.AccessControl, 'Input.AccessControl'),
    Endpoints: Array.isArray(endpoints) ? endpoints : [],
  };
}

function preview(value: unknown, endpoints: unknown): Rec {
  if (value !== null && value !== undefined && !isRecord(value))
    throw mediaErrors.invalidProperty('Preview', 'a ChannelPreview object is expected.');
  return {
    AccessControl: ipAccessControl(isRecord(value) ? value.AccessControl : null, 'Preview.AccessControl'),
    Endpoints: Array.isArray(endpoints) ? endpoints : [],
  };
}

function output(value: unknown): Rec | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) throw mediaErrors.invalidProperty('Output', 'a ChannelOutput object is expected.');
  const hls = value.Hls;
  if (hls === null || hls === undefined) return { Hls: null };
  if (!isRecord(hls))
    throw mediaErrors.invalidProperty('Output.Hls', 'a ChannelOutputHls object is expected.');
  const fragments = hls.FragmentsPerSegment;
  if (
    fragments !== null &&
    fragments !== undefined &&
    (typeof fragments !== 'number' || fragments < 1 || fragments > MAX_FRAGMENTS_PER_SEGMENT)
  ) {
    throw mediaErrors.invalidProperty(
      'Output.Hls.FragmentsPerSegment',
      `1 to ${MAX_FRAGMENTS_PER_SEGMENT} (or null for the default) is expected.`,
    );
  }
  return { Hls: { FragmentsPerSegment: fragments ?? null } };
}

function stream(value: unknown, path: string, withLanguage: boolean): Rec {
  if (!isRecord(value)) throw mediaErrors.invalidProperty(path, 'a stream object is expected.');
  const index = value.Index;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0)
    throw mediaErrors.invalidProperty(`${path}.Index`, 'a stream index (0 or more) is expected.');
  const name = value.Name ?? null;
  if (name !== null && (typeof name !== 'string' || name.length > 256))
    throw mediaErrors.invalidProperty(`${path}.Name`, 'a string of at most 256 characters is expected.');
  if (!withLanguage) return { Index: index, Name: name };
  const language = value.Language ?? null;
  if (
    language !== null &&
    (typeof language !== 'string' || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(language))
  )
    throw mediaErrors.invalidProperty(
      `${path}.Language`,
      'a language code such as ENG or en-US is expected.',
    );
  return { Index: index, Name: name, Language: language };
}

/** Live encoding's settings; pass-through channels have none. */
function encoding(value: unknown, encodes: boolean): Rec | null {
  if (!encodes) {
    if (value !== null && value !== undefined) {
      throw mediaErrors.invalidProperty(
        'Encoding',
        'only live encoding channels (EncodingType Standard or Premium) take encoding settings.',
      );
    }
    return null;
  }
  const given: Rec = isRecord(value) ? value : {};
  if (value !== null && value !== undefined && !isRecord(value))
    throw mediaErrors.invalidProperty('Encoding', 'a ChannelEncoding object is expected.');
  const audio = given.AudioStreams ?? [];
  if (!Array.isArray(audio) || audio.length > MAX_AUDIO_STREAMS)
    throw mediaErrors.invalidProperty(
      'Encoding.AudioStreams',
      `at most ${MAX_AUDIO_STREAMS} streams are allowed.`,
    );
  return {
    SystemPreset: oneOf(given.SystemPreset ?? 'Default720p', SYSTEM_PRESETS, 'Encoding.SystemPreset'),
    IgnoreCea708ClosedCaptions: given.IgnoreCea708ClosedCaptions === true,
    AdMarkerSource: oneOf(given.AdMarkerSource ?? 'Api', AD_MARKER_SOURCES, 'Encoding.AdMarkerSource'),
    VideoStream:
      given.VideoStream === null || given.VideoStream === undefined
        ? null
        : stream(given.VideoStream, 'Encoding.VideoStream', false),
    AudioStreams: audio.map((s, i) => stream(s, `Encoding.AudioStreams[${i}]`, true)),
  };
}

function slate(ctx: RuleContext, value: unknown): Rec | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) throw mediaErrors.invalidProperty('Slate', 'a ChannelSlate object is expected.');
  const assetId = value.DefaultSlateAssetId ?? null;
  if (assetId !== null && (typeof assetId !== 'string' || !ctx.writer.get('Assets', assetId)))
    throw mediaErrors.invalidProperty(
      'Slate.DefaultSlateAssetId',
      `the asset '${String(assetId)}' does not exist.`,
    );
  return { InsertSlateOnAdMarker: value.InsertSlateOnAdMarker === true, DefaultSlateAssetId: assetId };
}

function crossSite(value: unknown): Rec | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value))
    throw mediaErrors.invalidProperty(
      'CrossSiteAccessPolicies',
      'a CrossSiteAccessPolicies object is expected.',
    );
  return {
    ClientAccessPolicy: value.ClientAccessPolicy ?? null,
    CrossDomainPolicy: value.CrossDomainPolicy ?? null,
  };
}

/** What a client may set on a channel, settled: defaults filled in, every part checked. */
function settings(
  ctx: RuleContext,
  values: Values,
  encodingType: string,
  existing?: EntityRecord,
): EntityRecord {
  const encodes = liveEncoding(encodingType);
  const existingInput = existing?.Input as Rec | null | undefined;
  const existingPreview = existing?.Preview as Rec | null | undefined;
  return {
    Description: description(values),
    Input: input(values.Input, encodes, existingInput?.Endpoints),
    Preview: preview(values.Preview, existingPreview?.Endpoints),
    Output: output(values.Output),
    CrossSiteAccessPolicies: crossSite(values.CrossSiteAccessPolicies),
    Encoding: encoding(values.Encoding, encodes),
    Slate: slate(ctx, values.Slate),
  };
}

const UPDATABLE = [
  'Description',
  'Input',
  'Preview',
  'Output',
  'CrossSiteAccessPolicies',
  'Encoding',
  'Slate',
];

/** The programs of a channel. */
export const programsOf = (view: AccountView, channelId: string): EntityRecord[] =>
  view.list('Programs').filter((p) => p.ChannelId === channelId);

const named = (channel: EntityRecord) => `The channel '${String(channel.Name)}'`;

function requireState(channel: EntityRecord, allowed: readonly string[], toDo: string): void {
  if (!allowed.includes(channel.State as string)) {
    throw liveErrors.invalidOperation(
      `${named(channel)} is ${String(channel.State)}: it must be ${allowed.join(' or ')} to ${toDo}.`,
    );
  }
}

function requireLiveEncoding(channel: EntityRecord, toDo: string): void {
  if (!liveEncoding(channel.EncodingType)) {
    throw mediaErrors.badRequest(
      `${named(channel)} passes its input through: only live encoding channels (EncodingType Standard or Premium) can ${toDo}.`,
    );
  }
}

/** An action's Edm.Time parameter, in ms, within (0, 24 h]. */
function breakLength(parameters: Readonly<Rec>, fallback: number | undefined): number {
  const value = parameters.duration ?? fallback;
  if (value === undefined) throw mediaErrors.missingProperty('duration');
  if (typeof value !== 'number' || value <= 0 || value > MAX_BREAK_MS)
    throw mediaErrors.invalidProperty('duration', 'a positive duration of at most PT24H is expected.');
  return value;
}

/** Moves the channel on and records the operation the supervisor carries out. */
function transition(
  ctx: RuleContext,
  channel: EntityRecord,
  action: string,
  changes: Rec,
  parameters: Rec = {},
): EntityRecord {
  ctx.writer.update('Channels', { ...channel, ...changes, LastModified: ctx.now });
  return newOperation(ctx, { target: channel.Id as string, action: `Channels.${action}`, parameters });
}

export const channels: EntitySetRules = {
  set: 'Channels',
  navigations: { Programs: { kind: 'foreignKey', set: 'Programs', property: 'ChannelId' } },
};

export const channelWrites: LongRunningSetRules = {
  set: 'Channels',
  kind: 'chid',
  create(ctx, body) {
    const values = body.values;
    const name = liveName(values, 'channel', 32);
    const all = ctx.writer.list('Channels');
    if (all.some((c) => String(c.Name).toLowerCase() === name.toLowerCase()))
      throw liveErrors.nameTaken('channel', name, `the account '${ctx.account.name}'`);
    if (all.length >= MAX_CHANNELS)
      throw liveErrors.quotaExceeded(`An account has at most ${MAX_CHANNELS} channels; delete one first.`);
    const encodingType = has(values, 'EncodingType')
      ? oneOf(values.EncodingType ?? 'None', ENCODING_TYPES, 'EncodingType')
      : 'None';
    const channel: EntityRecord = {
      Id: newId('chid'),
      Name: name,
      Created: ctx.now,
      LastModified: ctx.now,
      State: ChannelState.Stopped,
      ...settings(ctx, values, encodingType),
      EncodingType: encodingType,
      VanityUrl: optionalBoolean(values, 'VanityUrl') ?? false,
      _origin: null,
      _adCueId: null,
    };
    ctx.writer.insert('Channels', channel);
    return channel;
  },
  update(ctx, existing, body, replace) {
    const values = body.values;
    const encodingType = existing.EncodingType as string;
    // Compared in their canonical spelling: `"EncodingType":"none"` sent back is no change.
    const given = has(values, 'EncodingType')
      ? { ...values, EncodingType: oneOf(values.EncodingType ?? 'None', ENCODING_TYPES, 'EncodingType') }
      : values;
    checkWriteOnce(existing, given, ['Name', 'EncodingType', 'VanityUrl']);
    requireState(existing, [ChannelState.Stopped], 'change its settings');
    const merged: Rec = {};
    for (const name of UPDATABLE) merged[name] = has(values, name) || replace ? values[name] : existing[name];
    return { ...existing, ...settings(ctx, merged, encodingType, existing), LastModified: ctx.now };
  },
  remove(ctx, existing) {
    requireState(existing, [ChannelState.Stopped], 'be deleted');
    const programs = programsOf(ctx.writer, existing.Id as string);
    if (programs.length > 0) {
      throw liveErrors.invalidOperation(
        `${named(existing)} has ${programs.length} program(s): delete them before the channel.`,
      );
    }
    ctx.writer.remove('Channels', existing.Id as string);
  },
  find: (ctx, id) => ctx.writer.get('Channels', id),
  save: (ctx, entity) => ctx.writer.update('Channels', entity),
  actions: {
    Start(ctx, channel) {
      requireState(channel, [ChannelState.Stopped], 'start');
      // The URLs the pipeline publishes are on the origin the client used.
      return transition(ctx, channel, 'Start', { State: ChannelState.Starting, _origin: ctx.urls.origin });
    },
    Stop(ctx, channel) {
      requireState(channel, [ChannelState.Running], 'stop');
      const active = programsOf(ctx.writer, channel.Id as string).filter((p) => p.State !== 'Stopped');
      if (active.length > 0) {
        throw liveErrors.invalidOperation(
          `${named(channel)} has programs that are not stopped (${active.map((p) => String(p.Name)).join(', ')}): stop them first.`,
        );
      }
      return transition(ctx, channel, 'Stop', { State: ChannelState.Stopping, _adCueId: null });
    },
    Reset(ctx, channel) {
      requireState(channel, [ChannelState.Running], 'be reset');
      return transition(ctx, channel, 'Reset', { _adCueId: null });
    },
    ShowSlate(ctx, channel, parameters) {
      requireLiveEncoding(channel, 'show a slate');
      requireState(channel, [ChannelState.Running], 'show a slate');
      const durationMs = breakLength(parameters, DEFAULT_SLATE_MS);
      const given = parameters.assetId;
      if (given !== undefined && given !== null && typeof given !== 'string')
        throw mediaErrors.invalidProperty('assetId', 'an asset id is expected.');
      const assetId =
        (typeof given === 'string' && given !== '' ? given : null) ??
        ((channel.Slate as Rec | null)?.DefaultSlateAssetId as string | null | undefined) ??
        null;
      if (assetId !== null && !ctx.writer.get('Assets', assetId))
        throw mediaErrors.invalidProperty('assetId', `the asset '${assetId}' does not exist.`);
      return transition(ctx, channel, 'ShowSlate', {}, { durationSeconds: durationMs / 1000, assetId });
    },
    HideSlate(ctx, channel) {
      requireLiveEncoding(channel, 'hide a slate');
      requireState(channel, [ChannelState.Running], 'hide a slate');
      return transition(ctx, channel, 'HideSlate', {});
    },
    StartAdvertisement(ctx, channel, parameters) {
      requireLiveEncoding(channel, 'insert an ad marker');
      requireState(channel, [ChannelState.Running], 'insert an ad marker');
      const durationMs = breakLength(parameters, undefined);
      const cue = parameters.cueId;
      if (cue !== undefined && cue !== null && (typeof cue !== 'number' || cue < 0))
        throw mediaErrors.invalidProperty('cueId', 'a cue id of 0 or more is expected.');
      const cueId = typeof cue === 'number' ? cue : randomInt(1, 2 ** 31 - 1);
      const showSlate = parameters.showSlate === true;
      return transition(
        ctx,
        channel,
        'StartAdvertisement',
        { _adCueId: cueId },
        { cueId, durationSeconds: durationMs / 1000, showSlate },
      );
    },
    EndAdvertisement(ctx, channel, parameters) {
      requireLiveEncoding(channel, 'end an ad marker');
      requireState(channel, [ChannelState.Running], 'end an ad marker');
      const given = parameters.cueId;
      const cueId = typeof given === 'number' ? given : (channel._adCueId as number | null);
      if (cueId === null || cueId === undefined)
        throw liveErrors.invalidOperation(`${named(channel)} has no advertisement running; name its cueId.`);
      return transition(ctx, channel, 'EndAdvertisement', { _adCueId: null }, { cueId });
    },
  },
};
