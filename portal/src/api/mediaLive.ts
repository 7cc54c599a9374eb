import type { ApiResponse } from './http.js';
import { entityOf, listAllEntities, mediaRequest, odataString } from './mediaRequest.js';
import type { Json } from './json.js';
import { isJson, text } from './json.js';

/**
 * Live streaming through Media Services v2 (`account` is the account's ARM id or name): channels,
 * their programs, streaming endpoints and the operations their long-running calls answer with.
 * Every write and action of those sets answers 202 with an `operation-id`; the caller polls
 * Operations('<id>') until it is no longer InProgress.
 */

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** `Channels('nb:chid:UUID:…')`: an entity's address, its key quoted and escaped. */
const keyPath = (set: string, id: string): string => `${set}(${encodeURIComponent(odataString(id))})`;

/** The states the live sets share; a state ending in -ing is a transition. */
export type LiveState = 'Stopped' | 'Starting' | 'Running' | 'Stopping' | 'Deleting' | 'Scaling' | string;

/** Whether the entity is on its way from one state to another (the portal polls while one is). */
export const inTransition = (state: LiveState): boolean => state.endsWith('ing') && state !== 'Running';

export interface LiveEndpoint {
  protocol: string;
  url: string;
}

export interface Channel {
  id: string;
  name: string;
  state: LiveState;
  /** None (pass-through), Standard or Premium (live encoding). */
  encodingType: string;
  protocol: string;
  /** Where encoders push; filled in once the channel runs. */
  ingest: LiveEndpoint[];
  preview: LiveEndpoint[];
  /** The ingest allow list, as "address/prefix"; undefined when every address may push. */
  allowList: string[] | undefined;
  created: number | undefined;
}

export interface Program {
  id: string;
  name: string;
  channelId: string;
  assetId: string;
  state: LiveState;
  manifestName: string;
  /** The DVR window, in milliseconds. */
  archiveWindowMs: number | undefined;
  created: number | undefined;
}

export interface StreamingEndpoint {
  id: string;
  name: string;
  state: LiveState;
  hostName: string;
  scaleUnits: number | undefined;
}

export interface Operation {
  id: string;
  state: 'InProgress' | 'Succeeded' | 'Failed' | string;
  targetEntityId: string;
  errorCode: string;
  errorMessage: string;
}

const endpoints = (part: unknown): LiveEndpoint[] =>
  isJson(part) && Array.isArray(part.Endpoints)
    ? part.Endpoints.filter(isJson).map((e) => ({ protocol: text(e.Protocol), url: text(e.Url) }))
    : [];

/** `Input.AccessControl.IP.Allow` as "address/prefix" lines; undefined when it lets everyone in. */
function allowListOf(input: unknown): string[] | undefined {
  const control = isJson(input) ? input.AccessControl : undefined;
  const ip = isJson(control) ? control.IP : undefined;
  const allow = isJson(ip) ? ip.Allow : undefined;
  if (!Array.isArray(allow)) return undefined;
  return allow.filter(isJson).map((range) => {
    const prefix = num(range.SubnetPrefixLength);
    return prefix === undefined ? text(range.Address) : `${text(range.Address)}/${prefix}`;
  });
}

/** Edm.DateTime in minimal JSON: an ISO string (or the /Date(ms)/ of older payloads). */
function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const legacy = /\/Date\((-?\d+)/.exec(value);
  const ms = legacy ? Number(legacy[1]) : Date.parse(value.endsWith('Z') ? value : `${value}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Edm.Time (`PT1H`, `PT10M`, `PT1H30M`, `P1DT2H`) in milliseconds. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!m) return undefined;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return (((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(s)) * 1000;
}

const channelOf = (c: Json): Channel => ({
  id: text(c.Id),
  name: text(c.Name),
  state: text(c.State),
  encodingType: text(c.EncodingType) || 'None',
  protocol: isJson(c.Input) ? text(c.Input.StreamingProtocol) : '',
  ingest: endpoints(c.Input),
  preview: endpoints(c.Preview),
  allowList: allowListOf(c.Input),
  created: timeOf(c.Created),
});

const programOf = (p: Json): Program => ({
  id: text(p.Id),
  name: text(p.Name),
  channelId: text(p.ChannelId),
  assetId: text(p.AssetId),
  state: text(p.State),
  manifestName: text(p.ManifestName),
  archiveWindowMs: durationMs(p.ArchiveWindowLength),
  created: timeOf(p.Created),
});

const endpointOf = (e: Json): StreamingEndpoint => ({
  id: text(e.Id),
  name: text(e.Name),
  state: text(e.State),
  hostName: text(e.HostName),
  scaleUnits: num(e.ScaleUnits),
});

const operationOf = (o: Json): Operation => ({
  id: text(o.Id),
  state: text(o.State),
  targetEntityId: text(o.TargetEntityId),
  errorCode: text(o.ErrorCode),
  errorMessage: text(o.ErrorMessage),
});

export const listChannels = async (account: string): Promise<Channel[]> =>
  (await listAllEntities(account, 'Channels')).map(channelOf);

export const listPrograms = async (account: string): Promise<Program[]> =>
  (await listAllEntities(account, 'Programs')).map(programOf);

export const listStreamingEndpoints = async (account: string): Promise<StreamingEndpoint[]> =>
  (await listAllEntities(account, 'StreamingEndpoints')).map(endpointOf);

export const getOperation = async (account: string, id: string): Promise<Operation> => {
  const { body } = await mediaRequest(account, keyPath('Operations', id));
  return operationOf(entityOf(body));
};

/** What a long-running call started: the operation to poll, and the entity a create made. */
export interface Accepted {
  operationId: string;
  entity: Json | undefined;
}

function accepted(response: ApiResponse): Accepted {
  const operationId = response.headers.get('operation-id') ?? '';
  if (!operationId) throw new Error(`The service answered ${response.status} without an operation-id.`);
  return { operationId, entity: isJson(response.body) ? entityOf(response.body) : undefined };
}

/** One range of an allow list, from "address" or "address/prefix" (the service checks both parts). */
function ipRange(line: string, index: number): Json {
  const [address = '', prefix] = line.split('/');
  const bits = prefix === undefined ? null : Number(prefix);
  return {
    Name: `range ${index + 1}`,
    Address: address.trim(),
    SubnetPrefixLength: bits !== null && Number.isInteger(bits) ? bits : prefix,
  };
}

export interface NewChannel {
  name: string;
  /** 'None' passes the encoder's stream through; 'Standard' encodes the 720p ladder. */
  encodingType: 'None' | 'Standard';
  /** Addresses or CIDR ranges that may push; empty lets every address push. */
  allow: string[];
}

export async function createChannel(account: string, channel: NewChannel): Promise<Accepted> {
  const allow = channel.allow.map((line) => line.trim()).filter(Boolean);
  return accepted(
    await mediaRequest(account, 'Channels', {
      method: 'POST',
      body: {
        Name: channel.name,
        EncodingType: channel.encodingType,
        Input: {
          StreamingProtocol: 'RTMP',
          AccessControl: allow.length > 0 ? { IP: { Allow: allow.map(ipRange) } } : null,
        },
        Preview: { AccessControl: null },
      },
    }),
  );
}

export type ChannelAction = 'Start' | 'Stop' | 'Reset';
export type ProgramAction = 'Start' | 'Stop';
export type EndpointAction = 'Start' | 'Stop';

export type LiveSet = 'Channels' | 'Programs' | 'StreamingEndpoints';

/** `POST <Set>('…')/<Action>`: Start, Stop, Reset. */
export async function runAction(
  account: string,
  set: LiveSet,
  id: string,
  action: string,
): Promise<Accepted> {
  return accepted(await mediaRequest(account, `${keyPath(set, id)}/${action}`, { method: 'POST' }));
}

export async function deleteLiveEntity(account: string, set: LiveSet, id: string): Promise<Accepted> {
  return accepted(await mediaRequest(account, keyPath(set, id), { method: 'DELETE' }));
}

export interface NewProgram {
  channelId: string;
  name: string;
  /** The archive (DVR) window in minutes: 5 to 1500. */
  archiveWindowMinutes: number;
  manifestName: string;
  /** The name of the asset made for the recording. */
  assetName: string;
}

/** An ISO 8601 duration of whole minutes, as Edm.Time is written: PT90M → PT1H30M. */
const minutesDuration = (minutes: number): string => {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `PT${h ? `${h}H` : ''}${m || !h ? `${m}M` : ''}`;
};

/**
 * A program and the new asset it records into. If the service refuses the program, the asset
 * made for it is deleted again so that a refusal leaves nothing behind.
 */
export async function createProgram(account: string, program: NewProgram): Promise<Accepted> {
  const asset = await mediaRequest(account, 'Assets', {
    method: 'POST',
    body: { Name: program.assetName, Options: 0 },
  });
  const assetId = text(entityOf(asset.body).Id);
  if (!assetId) throw new Error('The service created the asset but did not answer its Id.');
  try {
    return accepted(
      await mediaRequest(account, 'Programs', {
        method: 'POST',
        body: {
          Name: program.name,
          ChannelId: program.channelId,
          AssetId: assetId,
          ArchiveWindowLength: minutesDuration(program.archiveWindowMinutes),
          ...(program.manifestName ? { ManifestName: program.manifestName } : {}),
        },
      }),
    );
  } catch (error) {
    await mediaRequest(account, keyPath('Assets', assetId), { method: 'DELETE' }).catch(() => undefined);
    throw error;
  }
}

/** The HLS address of a channel's preview (`…/preview.ism/manifest(format=m3u8-aapl)`). */
export const hlsOf = (manifestUrl: string): string =>
  manifestUrl.replace(/\/manifest(\(.*\))?$/i, '/manifest(format=m3u8-aapl)');
