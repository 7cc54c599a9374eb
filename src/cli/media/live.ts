import { setTimeout as sleep } from 'node:timers/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { TesseraError } from '../../errors.js';
import { guidOf, newId } from '../../media/ids.js';
import { entityPath, odataString } from '../../media/mediaData.js';
import type { WireEntity } from '../../media/mediaData.js';
import { isGuid } from '../../errors.js';
import type { CliIo } from '../io.js';
import { printWarning } from '../io.js';
import { dataDirOf } from '../options.js';
import { parsePositiveInteger } from '../options.js';
import { runningServer } from '../serverInfo.js';
import type { MediaContext, MediaOptions } from './context.js';
import { findEntity } from './context.js';

/**
 * What the live commands share: a long-running call of the v2 API (answered 202 with an
 * `operation-id`), waiting for its operation the way the SDKs poll `Operations('…')`, and finding
 * channels, programs and streaming endpoints by name or id.
 *
 * The CLI records the work; the live supervisor of the server running on the data folder carries
 * it out. Commands wait when a server runs there (or `--wait`), else they print the entity as it
 * is (Starting, Stopping, …) and say that a server will finish the work.
 */

export interface WaitOptions extends MediaOptions {
  wait?: boolean;
  timeout: number;
}

const POLL_MS = 250;
const DEFAULT_TIMEOUT_S = 120;

/** `--wait`, `--no-wait`, `--timeout`. */
export const withWaitOptions = (command: Command): Command =>
  command
    .option('--wait', 'Wait for the operation to end (the default when a server runs on the data folder).')
    .option('--no-wait', 'Print the entity at once; the server finishes the operation.')
    .addOption(
      new Option('--timeout <seconds>', 'How long to wait for the operation.')
        .default(DEFAULT_TIMEOUT_S)
        .argParser(parsePositiveInteger),
    );

export interface LongRunningAnswer {
  operationId: string;
  /** The entity a create answered with. */
  entity?: WireEntity;
}

/** One long-running call: the operation it started, and the entity of a create. */
export async function longRunning(
  ctx: MediaContext,
  method: string,
  path: string,
  body?: unknown,
): Promise<LongRunningAnswer> {
  const response = await ctx.data.request(ctx.session, method, path, body);
  const operationId = response.headers['operation-id'];
  if (!operationId) throw new Error(`${method} ${path} answered ${response.status} without an operation`);
  if (response.body === undefined || response.body.length === 0) return { operationId };
  const { 'odata.metadata': _, ...entity } = JSON.parse(response.body.toString()) as WireEntity;
  return { operationId, entity };
}

/**
 * Waits, when the options say so, for the operation to end; a Failed one is the command's error.
 * Without waiting, says why the entity may still be on its way.
 */
export async function awaitOperation(
  io: CliIo,
  ctx: MediaContext,
  options: WaitOptions,
  operationId: string,
  what: string,
): Promise<void> {
  const serverRuns = (await runningServer(dataDirOf(options))) !== undefined;
  const wait = options.wait ?? serverRuns;
  if (!wait) {
    if (options.wait === undefined) {
      printWarning(
        io,
        `No server runs on this data folder: ${what} completes once one does (tessera start). Operation ${operationId}.`,
      );
    }
    return;
  }
  const deadline = Date.now() + options.timeout * 1000;
  for (;;) {
    const operation = await findEntity(ctx, 'Operations', operationId);
    if (!operation)
      throw new TesseraError('OperationNotFound', `The operation '${operationId}' was not found.`);
    if (operation.State === 'Succeeded') return;
    if (operation.State === 'Failed') {
      const code = String(operation.ErrorCode ?? 'InternalError');
      throw new TesseraError(code, `(${code}) ${String(operation.ErrorMessage ?? `${what} failed.`)}`);
    }
    if (Date.now() >= deadline) {
      throw new TesseraError(
        'OperationTimeout',
        `${what} is still in progress after ${options.timeout} seconds (operation ${operationId}); ` +
          (serverRuns ? 'show it later to see how it ended.' : 'is a server running on this data folder?'),
      );
    }
    await sleep(POLL_MS);
  }
}

/** A key given as `nb:<kind>:UUID:<guid>` or its guid; undefined for a name. */
function keyOf(reference: string, kind: string): string | undefined {
  const trimmed = reference.trim();
  const guid = guidOf(trimmed, kind) ?? (isGuid(trimmed) ? trimmed.toLowerCase() : undefined);
  return guid === undefined ? undefined : newId(kind, guid);
}

async function byNameOrId(
  ctx: MediaContext,
  set: string,
  kind: string,
  reference: string,
  filter = '',
): Promise<WireEntity | undefined> {
  const id = keyOf(reference, kind);
  if (id !== undefined) {
    const found = await findEntity(ctx, set, id);
    if (found) return found;
  }
  const [named] = await ctx.data.list(
    ctx.session,
    `${set}?$filter=Name eq ${odataString(reference)}${filter}`,
  );
  return named;
}

/** `-n` of a channel: its name or id. */
export async function resolveChannel(ctx: MediaContext, reference: string): Promise<WireEntity> {
  const channel = await byNameOrId(ctx, 'Channels', 'chid', reference);
  if (!channel) {
    throw new TesseraError(
      'ChannelNotFound',
      `The channel '${reference}' was not found in the Media Services account '${ctx.account.name}'.`,
    );
  }
  return channel;
}

/** A program of the channel, by name or id. */
export async function resolveProgram(
  ctx: MediaContext,
  channel: WireEntity,
  reference: string,
): Promise<WireEntity> {
  const program = await byNameOrId(
    ctx,
    'Programs',
    'pgid',
    reference,
    ` and ChannelId eq ${odataString(String(channel.Id))}`,
  );
  if (!program || program.ChannelId !== channel.Id) {
    throw new TesseraError(
      'ProgramNotFound',
      `The channel '${String(channel.Name)}' has no program '${reference}'.`,
    );
  }
  return program;
}

/** A streaming endpoint, by name or id ('default' is every account's). */
export async function resolveStreamingEndpoint(ctx: MediaContext, reference: string): Promise<WireEntity> {
  const endpoint = await byNameOrId(ctx, 'StreamingEndpoints', 'oid', reference);
  if (!endpoint) {
    throw new TesseraError(
      'StreamingEndpointNotFound',
      `The streaming endpoint '${reference}' was not found in the Media Services account '${ctx.account.name}'.`,
    );
  }
  return endpoint;
}

/** The entity again, as the API shows it now. */
export async function reread(ctx: MediaContext, set: string, id: string): Promise<WireEntity> {
  const entity = await ctx.data.entity(ctx.session, 'GET', entityPath(set, id));
  if (!entity) throw new Error(`${set}('${id}') is gone`);
  return entity;
}
