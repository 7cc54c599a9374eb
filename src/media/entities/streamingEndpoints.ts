import type { MediaAccount } from '../accounts.js';
import { mediaErrors } from '../errors.js';
import { nameGuid, newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import { description, ipAccessControl, liveName } from './channels.js';
import { liveErrors, newOperation } from './operations.js';
import type { LongRunningSetRules } from './operations.js';
import type { EntitySetRules, RuleContext } from './rules.js';
import { checkWriteOnce, has, optionalBoolean, optionalString } from './values.js';
import type { Values } from './values.js';

/**
 * Streaming endpoints: the origins that serve origin locators and live output. Every account has
 * a "default" one, which origin locators' URLs name: it exists without anyone creating it, runs
 * until stopped, is stored the first time it changes, and cannot be deleted. Others are created
 * Stopped. Start, Stop and Scale move an endpoint through Starting, Stopping and Scaling; no
 * pipeline is involved, the live supervisor ends the transition.
 */

export const EndpointState = {
  Stopped: 'Stopped',
  Starting: 'Starting',
  Running: 'Running',
  Stopping: 'Stopping',
  Scaling: 'Scaling',
  /**
   * Azure's, while it deprovisioned. Only a Stopped entity is deleted here, which holds nothing in
   * the pipeline: the delete ends in its own unit of work and this state is never observed.
   */
  Deleting: 'Deleting',
} as const;

export const DEFAULT_ENDPOINT = 'default';
/** Azure's default quota: the default endpoint and one more. */
export const MAX_STREAMING_ENDPOINTS = 2;
const MAX_SCALE_UNITS = 10;
const VERSIONS = ['1.0', '2.0'];
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

type Rec = Record<string, unknown>;
const isRecord = (value: unknown): value is Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const defaultEndpointId = (account: Pick<MediaAccount, 'mediaServiceId'>): string =>
  newId('oid', nameGuid(`${account.mediaServiceId}:default`));

/** The default endpoint as it is until it first changes. */
function defaultEndpoint(account: MediaAccount): EntityRecord {
  return {
    Id: defaultEndpointId(account),
    Name: DEFAULT_ENDPOINT,
    Description: 'The default streaming endpoint',
    Created: 0,
    LastModified: 0,
    State: EndpointState.Running,
    ScaleUnits: 0,
    CustomHostNames: [],
    AccessControl: null,
    CacheControl: null,
    CrossSiteAccessPolicies: null,
    CdnEnabled: false,
    CdnProvider: null,
    CdnProfile: null,
    StreamingEndpointVersion: '2.0',
    FreeTrialEndTime: null,
  };
}

/** The endpoint named `name` of the account, stored or built in. */
export function endpointNamed(
  account: MediaAccount,
  view: AccountView,
  name: string,
): EntityRecord | undefined {
  const id = defaultEndpointId(account);
  if (name === DEFAULT_ENDPOINT) return view.get('StreamingEndpoints', id) ?? defaultEndpoint(account);
  return view.list('StreamingEndpoints').find((e) => e.Name === name);
}

/** Whether the endpoint serves now: Running, or scaling while it runs. */
export const isServing = (endpoint: EntityRecord | undefined): boolean =>
  endpoint !== undefined &&
  (endpoint.State === EndpointState.Running ||
    (endpoint.State === EndpointState.Scaling && endpoint._servingWhileScaling === true));

function scaleUnits(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SCALE_UNITS)
    throw mediaErrors.invalidProperty(path, `a whole number from 0 to ${MAX_SCALE_UNITS} is expected.`);
  return value;
}

function hostNames(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value))
    throw mediaErrors.invalidProperty('CustomHostNames', 'a collection is expected.');
  if (value.length > 10)
    throw mediaErrors.invalidProperty('CustomHostNames', 'at most 10 host names are allowed.');
  return value.map((name) => {
    if (typeof name !== 'string' || !HOST_NAME.test(name))
      throw mediaErrors.invalidProperty(
        'CustomHostNames',
        `'${String(name).slice(0, 64)}' is not a host name.`,
      );
    return name.toLowerCase();
  });
}

function accessControl(value: unknown): Rec | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value))
    throw mediaErrors.invalidProperty('AccessControl', 'an access control object is expected.');
  return ipAccessControl(value, 'AccessControl', { Akamai: value.Akamai ?? null });
}

function cacheControl(value: unknown): Rec | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value))
    throw mediaErrors.invalidProperty('CacheControl', 'a cache control object is expected.');
  const maxAge = value.MaxAge ?? null;
  if (maxAge !== null && (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0))
    throw mediaErrors.invalidProperty('CacheControl.MaxAge', 'a number of seconds (0 or more) is expected.');
  return { MaxAge: maxAge };
}

/** The settings a client gives, settled and checked; ScaleUnits only when the endpoint is created. */
function settings(values: Values, units: number): Rec {
  const cdnEnabled = optionalBoolean(values, 'CdnEnabled') ?? false;
  if (cdnEnabled && units === 0)
    throw mediaErrors.invalidProperty('CdnEnabled', 'a CDN needs at least one scale unit.');
  const version = optionalString(values, 'StreamingEndpointVersion') ?? '2.0';
  if (!VERSIONS.includes(version))
    throw mediaErrors.invalidProperty('StreamingEndpointVersion', `'${version}' is not 1.0 or 2.0.`);
  const crossSite = values.CrossSiteAccessPolicies ?? null;
  if (crossSite !== null && !isRecord(crossSite))
    throw mediaErrors.invalidProperty(
      'CrossSiteAccessPolicies',
      'a CrossSiteAccessPolicies object is expected.',
    );
  return {
    Description: description(values),
    CustomHostNames: hostNames(values.CustomHostNames),
    AccessControl: accessControl(values.AccessControl),
    CacheControl: cacheControl(values.CacheControl),
    CrossSiteAccessPolicies: crossSite,
    CdnEnabled: cdnEnabled,
    CdnProvider: optionalString(values, 'CdnProvider', 64) ?? null,
    CdnProfile: optionalString(values, 'CdnProfile', 256) ?? null,
    StreamingEndpointVersion: version,
  };
}

const UPDATABLE = [
  'Description',
  'CustomHostNames',
  'AccessControl',
  'CacheControl',
  'CrossSiteAccessPolicies',
  'CdnEnabled',
  'CdnProvider',
  'CdnProfile',
  'StreamingEndpointVersion',
];

const named = (endpoint: EntityRecord) => `The streaming endpoint '${String(endpoint.Name)}'`;

function requireState(endpoint: EntityRecord, allowed: readonly string[], toDo: string): void {
  if (!allowed.includes(endpoint.State as string)) {
    throw liveErrors.invalidOperation(
      `${named(endpoint)} is ${String(endpoint.State)}: it must be ${allowed.join(' or ')} to ${toDo}.`,
    );
  }
}

function find(ctx: RuleContext, id: string): EntityRecord | undefined {
  const stored = ctx.writer.get('StreamingEndpoints', id);
  if (stored) return stored;
  return id === defaultEndpointId(ctx.account) ? defaultEndpoint(ctx.account) : undefined;
}

function save(ctx: RuleContext, entity: EntityRecord): void {
  if (ctx.writer.get('StreamingEndpoints', entity.Id as string))
    ctx.writer.update('StreamingEndpoints', entity);
  else ctx.writer.insert('StreamingEndpoints', entity);
}

function transition(
  ctx: RuleContext,
  endpoint: EntityRecord,
  action: string,
  changes: Rec,
  extra: { parameters?: Rec; stateBefore?: string } = {},
): EntityRecord {
  save(ctx, { ...endpoint, ...changes, LastModified: ctx.now });
  return newOperation(ctx, {
    target: endpoint.Id as string,
    action: `StreamingEndpoints.${action}`,
    ...extra,
  });
}

/** The default endpoint until it is stored. */
const builtIn = (account: MediaAccount, view: AccountView): EntityRecord[] =>
  view.get('StreamingEndpoints', defaultEndpointId(account)) ? [] : [defaultEndpoint(account)];

export const streamingEndpoints: EntitySetRules = {
  set: 'StreamingEndpoints',
  builtIn,
  present(record, { urls }) {
    // The default endpoint is the origin below the account; others would have origins of their own.
    const base = urls.streaming.replace(/^https?:\/\//, '');
    return {
      ...record,
      HostName: record.Name === DEFAULT_ENDPOINT ? base : `${base}-${String(record.Name)}`,
    };
  },
};

export const streamingEndpointWrites: LongRunningSetRules = {
  set: 'StreamingEndpoints',
  kind: 'oid',
  create(ctx, body) {
    const values = body.values;
    const name = liveName(values, 'streaming endpoint', 24);
    const all = [...builtIn(ctx.account, ctx.writer), ...ctx.writer.list('StreamingEndpoints')];
    if (all.some((e) => String(e.Name).toLowerCase() === name.toLowerCase()))
      throw liveErrors.nameTaken('streaming endpoint', name, `the account '${ctx.account.name}'`);
    if (all.length >= MAX_STREAMING_ENDPOINTS) {
      throw liveErrors.quotaExceeded(
        `An account has at most ${MAX_STREAMING_ENDPOINTS} streaming endpoints, the default one included.`,
      );
    }
    const units =
      has(values, 'ScaleUnits') && values.ScaleUnits !== null
        ? scaleUnits(values.ScaleUnits, 'ScaleUnits')
        : 0;
    const endpoint: EntityRecord = {
      Id: newId('oid'),
      Name: name,
      Created: ctx.now,
      LastModified: ctx.now,
      State: EndpointState.Stopped,
      ScaleUnits: units,
      ...settings(values, units),
      FreeTrialEndTime: null,
    };
    ctx.writer.insert('StreamingEndpoints', endpoint);
    return endpoint;
  },
  update(ctx, existing, body, replace) {
    const values = body.values;
    checkWriteOnce(existing, values, ['Name']);
    if (has(values, 'ScaleUnits') && values.ScaleUnits !== null && values.ScaleUnits !== existing.ScaleUnits)
      throw mediaErrors.invalidProperty('ScaleUnits', 'scale units change through the Scale action.');
    requireState(existing, [EndpointState.Stopped], 'change its settings');
    const merged: Rec = {};
    for (const name of UPDATABLE) merged[name] = has(values, name) || replace ? values[name] : existing[name];
    return { ...existing, ...settings(merged, existing.ScaleUnits as number), LastModified: ctx.now };
  },
  remove(ctx, existing) {
    if (existing.Id === defaultEndpointId(ctx.account)) throw liveErrors.deleteDefaultOrigin();
    requireState(existing, [EndpointState.Stopped], 'be deleted');
    ctx.writer.remove('StreamingEndpoints', existing.Id as string);
  },
  find,
  save,
  actions: {
    Start(ctx, endpoint) {
      requireState(endpoint, [EndpointState.Stopped], 'start');
      return transition(ctx, endpoint, 'Start', { State: EndpointState.Starting });
    },
    Stop(ctx, endpoint) {
      requireState(endpoint, [EndpointState.Running], 'stop');
      return transition(ctx, endpoint, 'Stop', { State: EndpointState.Stopping });
    },
    Scale(ctx, endpoint, parameters) {
      requireState(endpoint, [EndpointState.Running, EndpointState.Stopped], 'scale');
      if (parameters.scaleUnits === undefined || parameters.scaleUnits === null)
        throw mediaErrors.missingProperty('scaleUnits');
      const units = scaleUnits(parameters.scaleUnits, 'scaleUnits');
      if (endpoint.CdnEnabled === true && units === 0)
        throw mediaErrors.invalidProperty(
          'scaleUnits',
          'an endpoint with a CDN keeps at least one scale unit.',
        );
      const running = endpoint.State === EndpointState.Running;
      return transition(
        ctx,
        endpoint,
        'Scale',
        { State: EndpointState.Scaling, _servingWhileScaling: running },
        { parameters: { scaleUnits: units }, stateBefore: endpoint.State as string },
      );
    },
  },
};
