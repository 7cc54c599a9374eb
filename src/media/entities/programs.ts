import { mediaErrors } from '../errors.js';
import { newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import { ChannelState, description, liveName, programsOf } from './channels.js';
import { liveErrors, newOperation } from './operations.js';
import type { LongRunningSetRules } from './operations.js';
import type { EntitySetRules, RuleContext } from './rules.js';
import { checkWriteOnce, has, optionalString } from './values.js';
import type { Values } from './values.js';

/**
 * Programs: a channel's live stream recorded into an asset, with the archive window as the DVR
 * window of its output. A program starts only on a Running channel, records until Stop, and
 * then leaves its asset playable on demand; a program that has recorded is not started again
 * (a new program records the next part). Settings change only while Stopped.
 */

export const ProgramState = {
  Stopped: 'Stopped',
  Starting: 'Starting',
  Running: 'Running',
  Stopping: 'Stopping',
} as const;

/** ArchiveWindowLength's bounds, as the service set them: 5 minutes to 25 hours. */
const ARCHIVE_WINDOW_MS = { min: 5 * 60 * 1000, max: 25 * 60 * 60 * 1000 };
/** Azure's quotas per channel. */
export const MAX_PROGRAMS = 50;
export const MAX_RUNNING_PROGRAMS = 3;
const MANIFEST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const named = (program: EntityRecord) => `The program '${String(program.Name)}'`;

function channelOf(ctx: RuleContext, values: Values): EntityRecord {
  const id = values.ChannelId;
  if (id === undefined || id === null || id === '') throw mediaErrors.missingProperty('ChannelId');
  const channel = typeof id === 'string' ? ctx.writer.get('Channels', id) : undefined;
  if (!channel) throw mediaErrors.invalidProperty('ChannelId', `the channel '${String(id)}' does not exist.`);
  return channel;
}

/** The asset a program records into: it exists, and no other program records into it. */
function assetOf(ctx: RuleContext, value: unknown, programId: string | undefined): string {
  if (value === undefined || value === null || value === '') throw mediaErrors.missingProperty('AssetId');
  if (typeof value !== 'string' || !ctx.writer.get('Assets', value))
    throw mediaErrors.invalidProperty('AssetId', `the asset '${String(value)}' does not exist.`);
  const other = ctx.writer.list('Programs').find((p) => p.AssetId === value && p.Id !== programId);
  if (other) {
    throw liveErrors.invalidOperation(
      `The asset '${value}' already records program '${String(other.Name)}'; give each program an asset of its own.`,
    );
  }
  return value;
}

function archiveWindow(value: unknown): number {
  if (value === undefined || value === null) throw mediaErrors.missingProperty('ArchiveWindowLength');
  if (typeof value !== 'number' || value < ARCHIVE_WINDOW_MS.min || value > ARCHIVE_WINDOW_MS.max) {
    throw mediaErrors.invalidProperty(
      'ArchiveWindowLength',
      'a duration from PT5M to PT25H (an ISO 8601 duration such as PT1H) is expected.',
    );
  }
  return value;
}

function manifestName(values: Values): string | null {
  const name = optionalString(values, 'ManifestName', 64);
  if (name === undefined || name === '') return null;
  if (!MANIFEST_NAME.test(name)) {
    throw mediaErrors.invalidProperty(
      'ManifestName',
      'letters, digits, dots, hyphens and underscores (at most 64), starting with a letter or a digit.',
    );
  }
  return name;
}

function requireState(program: EntityRecord, allowed: readonly string[], toDo: string): void {
  if (!allowed.includes(program.State as string)) {
    throw liveErrors.invalidOperation(
      `${named(program)} is ${String(program.State)}: it must be ${allowed.join(' or ')} to ${toDo}.`,
    );
  }
}

function transition(ctx: RuleContext, program: EntityRecord, action: string, state: string): EntityRecord {
  ctx.writer.update('Programs', { ...program, State: state, LastModified: ctx.now });
  return newOperation(ctx, { target: program.Id as string, action: `Programs.${action}` });
}

export const programs: EntitySetRules = {
  set: 'Programs',
  navigations: {
    Channel: { kind: 'reference', set: 'Channels', property: 'ChannelId' },
    Asset: { kind: 'reference', set: 'Assets', property: 'AssetId' },
  },
};

export const programWrites: LongRunningSetRules = {
  set: 'Programs',
  kind: 'pgid',
  create(ctx, body) {
    const values = body.values;
    const name = liveName(values, 'program', 256);
    const channel = channelOf(ctx, values);
    const siblings = programsOf(ctx.writer, channel.Id as string);
    if (siblings.some((p) => String(p.Name).toLowerCase() === name.toLowerCase()))
      throw liveErrors.nameTaken('program', name, `the channel '${String(channel.Name)}'`);
    if (siblings.length >= MAX_PROGRAMS)
      throw liveErrors.quotaExceeded(`A channel has at most ${MAX_PROGRAMS} programs; delete one first.`);
    const program: EntityRecord = {
      Id: newId('pgid'),
      Name: name,
      Description: description(values),
      Created: ctx.now,
      LastModified: ctx.now,
      ChannelId: channel.Id,
      AssetId: assetOf(ctx, values.AssetId, undefined),
      ArchiveWindowLength: archiveWindow(values.ArchiveWindowLength),
      State: ProgramState.Stopped,
      ManifestName: manifestName(values),
      _recorded: false,
    };
    ctx.writer.insert('Programs', program);
    return program;
  },
  update(ctx, existing, body, replace) {
    const values = body.values;
    checkWriteOnce(existing, values, ['Name', 'ChannelId']);
    requireState(existing, [ProgramState.Stopped], 'change its settings');
    const id = existing.Id as string;
    const pick = (name: string) => (has(values, name) || replace ? values[name] : existing[name]);
    return {
      ...existing,
      Description: has(values, 'Description') || replace ? description(values) : existing.Description,
      AssetId: assetOf(ctx, pick('AssetId'), id),
      ArchiveWindowLength: archiveWindow(pick('ArchiveWindowLength')),
      ManifestName: has(values, 'ManifestName') || replace ? manifestName(values) : existing.ManifestName,
      LastModified: ctx.now,
    };
  },
  remove(ctx, existing) {
    requireState(existing, [ProgramState.Stopped], 'be deleted');
    // The asset stays: it holds the recording.
    ctx.writer.remove('Programs', existing.Id as string);
  },
  find: (ctx, id) => ctx.writer.get('Programs', id),
  save: (ctx, entity) => ctx.writer.update('Programs', entity),
  actions: {
    Start(ctx, program) {
      requireState(program, [ProgramState.Stopped], 'start');
      if (program._recorded === true) {
        throw liveErrors.invalidOperation(
          `${named(program)} has recorded and stopped; a stopped program is not started again: create a new program.`,
        );
      }
      const channel = ctx.writer.get('Channels', program.ChannelId as string);
      if (channel?.State !== ChannelState.Running) {
        throw liveErrors.invalidOperation(
          `The channel of program '${String(program.Name)}' is ${String(channel?.State ?? 'missing')}: a program starts only on a Running channel.`,
        );
      }
      const running = programsOf(ctx.writer, channel.Id as string).filter(
        (p) => p.State !== ProgramState.Stopped,
      );
      if (running.length >= MAX_RUNNING_PROGRAMS) {
        throw liveErrors.quotaExceeded(
          `A channel runs at most ${MAX_RUNNING_PROGRAMS} programs at once; stop one first.`,
        );
      }
      return transition(ctx, program, 'Start', ProgramState.Starting);
    },
    Stop(ctx, program) {
      requireState(program, [ProgramState.Running], 'stop');
      return transition(ctx, program, 'Stop', ProgramState.Stopping);
    },
  },
};
