import { ChannelState } from '../../entities/channels.js';
import { addFile } from '../../entities/files.js';
import { OperationState, endOperation, setOfAction } from '../../entities/operations.js';
import type { OperationError } from '../../entities/operations.js';
import { ProgramState } from '../../entities/programs.js';
import type { EntityRecord } from '../../odata/edm.js';
import type { AccountWriter } from '../../persistence/mediaEntities.js';
import type { ChannelEndpoints, RecordedFile } from '../liveIngest.js';

/**
 * The supervisor's writes, each one unit of work on the store: claiming an operation, ending it
 * together with the entity's new state, and what a restart finds (a channel that no longer
 * listens, a program that no longer records). Each re-reads what it changes inside the unit.
 */

export interface Claimed {
  operation: EntityRecord;
  /** The entity the operation acts on, as the unit read it. */
  target: EntityRecord;
  /** Claimed before by a process that is gone: it was under way when that process stopped. */
  interrupted: boolean;
}

/**
 * Takes an InProgress operation up. An operation whose entity is gone ends Failed here; an
 * operation that is no longer in progress is left alone (undefined).
 */
export function claimOperation(writer: AccountWriter, operationId: string, now: number): Claimed | undefined {
  const operation = writer.get('Operations', operationId);
  if (operation?.State !== OperationState.InProgress) return undefined;
  const set = setOfAction(operation._action as string);
  const target = writer.get(set, operation.TargetEntityId as string);
  if (!target) {
    endOperation(writer, operation, now, {
      code: 'ResourceNotFound',
      message: `The entity '${String(operation.TargetEntityId)}' no longer exists.`,
    });
    return undefined;
  }
  const interrupted = typeof operation._claimed === 'number';
  const claimed = { ...operation, _claimed: now };
  writer.update('Operations', claimed);
  return { operation: claimed, target, interrupted };
}

/**
 * Ends an operation that is still InProgress, with its entity changed by `change` (in the same
 * unit); false when someone else ended it first.
 */
export function settle(
  writer: AccountWriter,
  operationId: string,
  now: number,
  outcome: { change?: (entity: EntityRecord) => EntityRecord; error?: OperationError },
): boolean {
  const operation = writer.get('Operations', operationId);
  if (operation?.State !== OperationState.InProgress) return false;
  const set = setOfAction(operation._action as string);
  const entity = writer.get(set, operation.TargetEntityId as string);
  if (entity && outcome.change) writer.update(set, { ...outcome.change(entity), LastModified: now });
  endOperation(writer, operation, now, outcome.error);
  return true;
}

type Rec = Record<string, unknown>;
const part = (value: unknown): Rec =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : {};

/** A channel with the URLs the pipeline published. */
export const withEndpoints = (channel: EntityRecord, endpoints: ChannelEndpoints): EntityRecord => ({
  ...channel,
  Input: { ...part(channel.Input), Endpoints: endpoints.input },
  Preview: { ...part(channel.Preview), Endpoints: endpoints.preview },
});

/** After a restart: the URLs the pipeline gave this time, when they changed. */
export function refreshEndpoints(
  writer: AccountWriter,
  channelId: string,
  endpoints: ChannelEndpoints,
  now: number,
): void {
  const channel = writer.get('Channels', channelId);
  if (channel?.State !== ChannelState.Running) return;
  const next = withEndpoints(channel, endpoints);
  if (
    JSON.stringify(next.Input) === JSON.stringify(channel.Input) &&
    JSON.stringify(next.Preview) === JSON.stringify(channel.Preview)
  )
    return;
  writer.update('Channels', { ...next, LastModified: now });
}

/** A program that no longer records: Stopped, and not started again (its asset holds what it recorded). */
export function programLost(writer: AccountWriter, programId: string, now: number): void {
  const program = writer.get('Programs', programId);
  if (program?.State !== ProgramState.Running) return;
  writer.update('Programs', { ...program, State: ProgramState.Stopped, _recorded: true, LastModified: now });
}

/** A channel recorded Running that could not listen again: Stopped, with its programs. */
export function channelLost(writer: AccountWriter, channelId: string, now: number): void {
  const channel = writer.get('Channels', channelId);
  if (channel?.State !== ChannelState.Running) return;
  writer.update('Channels', { ...channel, State: ChannelState.Stopped, _adCueId: null, LastModified: now });
  for (const program of writer.list('Programs')) {
    if (program.ChannelId === channelId) programLost(writer, program.Id as string, now);
  }
}

/**
 * A stopped program's files, recorded as its asset's Files as a job's outputs are: a file of the
 * same name is updated; a second primary file is recorded as a plain one.
 */
export function recordFiles(
  writer: AccountWriter,
  assetId: string,
  files: readonly RecordedFile[],
  now: number,
): void {
  if (!writer.get('Assets', assetId)) return;
  for (const file of files) {
    const existing = writer.list('Files').filter((f) => f.ParentAssetId === assetId);
    const same = existing.find((f) => f.Name === file.name);
    if (same) {
      writer.update('Files', {
        ...same,
        ContentFileSize: file.size,
        MimeType: file.mimeType,
        LastModified: now,
      });
      continue;
    }
    const primaryTaken = existing.some((f) => f.IsPrimary === true);
    addFile(
      { writer, now },
      {
        name: file.name,
        parentAssetId: assetId,
        size: file.size,
        mimeType: file.mimeType,
        isPrimary: file.isPrimary && !primaryTaken,
      },
    );
  }
}
