import { ChannelState, programsOf } from '../../entities/channels.js';
import { OperationState } from '../../entities/operations.js';
import type { OperationError } from '../../entities/operations.js';
import { ProgramState } from '../../entities/programs.js';
import { EndpointState } from '../../entities/streamingEndpoints.js';
import type { EntityRecord } from '../../odata/edm.js';
import type { AccountWriter, MediaEntities } from '../../persistence/mediaEntities.js';
import { LiveIngestError } from '../liveIngest.js';
import type { ChannelEndpoints, LiveIngest } from '../liveIngest.js';
import type { LiveOutputMirror, LiveOutputRef } from '../origin/liveMirror.js';
import { LiveLeaseLost } from './liveLease.js';
import type { LeaseTerm, LiveLease } from './liveLease.js';
import { channelSpec, programSpec } from './specs.js';
import type { Claimed } from './transitions.js';
import {
  channelLost,
  claimOperation,
  programLost,
  recordFiles,
  refreshEndpoints,
  settle,
  withEndpoints,
} from './transitions.js';
import { AccountWakes } from '../../accountWakes.js';

export interface LiveTermOptions {
  entities: MediaEntities;
  /** The live pipeline: listeners, packaging, recording. */
  ingest: LiveIngest;
  /** Accounts with live entities or operations, for the scan at the start and the poll. */
  accountsWithLive(): Promise<string[]>;
  /** Where published URLs point when the request that started a channel named no origin. */
  origin(): string;
  log: { error(obj: unknown, msg: string): void; info?(obj: unknown, msg: string): void };
  /** The lease this term holds; every write of the term confirms it in its transaction. */
  lease: LiveLease;
  held: LeaseTerm;
  /** A write found the lease gone: the term must end now. */
  onLeaseLost(): void;
  /** Where the live outputs are published for the nodes that do not run the pipeline. */
  mirror?: LiveOutputMirror;
  /** How often to look for work recorded by other processes (the CLI, other nodes); tests shorten it. */
  pollMs?: number;
  /** How long one pipeline call may take before its operation fails with Timeout. */
  callTimeoutMs?: number;
  /** Delays between attempts of an operation's final write. */
  finalWriteRetryMs?: readonly number[];
}

const POLL_MS = 1000;
/** How often the live outputs are published for the other nodes: about a segment scan's period. */
const MIRROR_MS = 250;
const CALL_TIMEOUT_MS = 120_000;
const FINAL_WRITE_RETRY_MS = [200, 1000, 5000];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keyOf = (account: string, id: string) => `${account}\u0000${id}`;
const programOutput = (account: string, program: EntityRecord): LiveOutputRef => ({
  kind: 'program',
  account,
  assetId: program.AssetId as string,
});

interface Work extends Claimed {
  account: string;
}

/**
 * One term of this node's live lease: while it lasts, this node alone runs the live pipeline
 * and carries out what the live API answered 202 to, after the unit that recorded it committed
 * (on any node, or in the CLI): calls the pipeline (`LiveIngest`) and records the outcome (the
 * entity's new state and URLs, the operation Succeeded, or Failed with the pipeline's code).
 * Streaming endpoints have no pipeline: their transitions just end. Work recorded elsewhere is
 * found by polling the media change counter. Every write of the term confirms the lease in its
 * transaction, so a term that is over writes nothing more.
 *
 * An operation is claimed (a hidden `_claimed` time) before the pipeline is called, so at the
 * start of a term an operation still InProgress was either never taken up (it is done now) or
 * interrupted with the previous term (a restart, or a holder that died): transitions are
 * finished (Start and Stop run again), momentary actions end as the restart leaves them (Reset,
 * HideSlate, EndAdvertisement Succeeded; ShowSlate, StartAdvertisement Failed with
 * InternalError). At the start, channels recorded Running listen again and their Running
 * programs record again; a channel that cannot is recorded Stopped with its programs.
 *
 * A deleted channel is forgotten by the pipeline (its ingest port and stream key): a delete ends
 * in its own unit of work, so the term finds its Succeeded operation by polling and asks once
 * (forgetting twice changes nothing, so the next term simply asks again).
 *
 * The end of a term (shutdown, or the lease lost) leaves states as recorded: work under way is
 * not ended, the next term — here or on another node — finishes it.
 */
export class LiveTerm {
  /** Channels this term started in the pipeline, with the URLs it published. */
  private readonly listening = new Map<string, ChannelEndpoints>();
  /** The previews of those channels, for the mirror. */
  private readonly previews = new Map<string, LiveOutputRef>();
  /** Programs recording in this term, with the asset each records into (for the mirror). */
  private readonly recording = new Map<string, LiveOutputRef>();
  /** Work under way: by operation id, `restart <account> <channel>` or `forget <operation id>`. */
  private readonly tasks = new Map<string, Promise<void>>();
  /** Operations whose final write failed: left to the next term rather than retried in a loop. */
  private readonly abandoned = new Set<string>();
  /** Channels.Delete operations whose channel this term has had the pipeline forget. */
  private readonly forgotten = new Set<string>();
  private readonly reconciling = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly wakes = new AccountWakes((account) => this.reconcileSoon(account));
  private closed = false;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private polledVersion = -1;
  private mirrorTimer: NodeJS.Timeout | undefined;
  private mirroring: Promise<void> | undefined;
  private readonly retryDelays: readonly number[];
  private readonly callTimeoutMs: number;

  constructor(private readonly options: LiveTermOptions) {
    this.retryDelays = options.finalWriteRetryMs ?? FINAL_WRITE_RETRY_MS;
    this.callTimeoutMs = options.callTimeoutMs ?? CALL_TIMEOUT_MS;
  }

  /** Restarts what was Running, takes up what is in progress, then polls for other processes' work. */
  async start(): Promise<void> {
    const { mirror } = this.options;
    if (mirror) {
      // What a previous holder published describes a pipeline that no longer runs.
      await mirror
        .clear()
        .catch((error: unknown) => this.options.log.error({ err: error }, 'live mirror: clear failed'));
      if (this.closed) return;
      this.mirrorTimer = setInterval(() => this.publish(mirror), MIRROR_MS);
      this.mirrorTimer.unref();
    }
    for (const account of await this.options.accountsWithLive()) this.reconcileSoon(account);
    await Promise.allSettled([...this.reconciling.values()]);
    if (this.closed) return;
    this.poller = setInterval(() => void this.poll(), this.options.pollMs ?? POLL_MS);
    this.poller.unref();
  }

  /** New work was recorded for the account in this process. */
  wake(account: string): void {
    if (this.closed) return;
    this.wakes.add(account);
  }

  /**
   * Ends the term: stops polling, closes the pipeline at once (its listeners and encoders) and
   * waits for work under way. `withdraw`: the lease is still held (a clean stop), so what the
   * term published for the other nodes is withdrawn; after a loss the next holder replaces it.
   */
  async close(withdraw: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poller);
    clearInterval(this.mirrorTimer);
    try {
      await this.options.ingest.close();
    } catch (error) {
      this.options.log.error({ err: error }, 'live pipeline: close failed');
    }
    await this.mirroring;
    if (withdraw) {
      await this.options.mirror
        ?.clear()
        .catch((error: unknown) => this.options.log.error({ err: error }, 'live mirror: clear failed'));
    }
    await Promise.allSettled([...this.tasks.values(), ...this.reconciling.values()]);
  }

  /** Waits until nothing runs (tests). */
  async idle(): Promise<void> {
    while (this.wakes.due || this.reconciling.size > 0 || this.tasks.size > 0) {
      await Promise.allSettled([...this.reconciling.values(), ...this.tasks.values()]);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The live outputs this term's pipeline serves: channel previews and recording programs. */
  private outputs(): LiveOutputRef[] {
    return [...this.previews.values(), ...this.recording.values()];
  }

  private publish(mirror: LiveOutputMirror): void {
    if (this.mirroring || this.closed) return;
    this.mirroring = mirror
      .publish(this.outputs())
      .catch((error: unknown) => this.options.log.error({ err: error }, 'live mirror: publishing failed'))
      .finally(() => (this.mirroring = undefined));
  }

  /** A unit of work of the term: committed only while the term's lease holds. */
  private async write<T>(account: string, work: (writer: AccountWriter) => T): Promise<T> {
    const { lease, held } = this.options;
    try {
      return await this.options.entities.write(account, (writer) => {
        const result = work(writer);
        writer.withinCommit((trx) => lease.confirm(trx, held));
        return result;
      });
    } catch (error) {
      if (error instanceof LiveLeaseLost) this.options.onLeaseLost();
      throw error;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const version = await this.options.entities.version();
      if (version === this.polledVersion) return;
      this.polledVersion = version;
      for (const account of await this.options.accountsWithLive()) this.reconcileSoon(account);
    } catch (error) {
      this.options.log.error({ err: error }, 'live poll failed');
    } finally {
      this.polling = false;
    }
  }

  /** One reconcile per account at a time; a wake during one runs another after it. */
  private reconcileSoon(account: string): void {
    if (this.closed) return;
    if (this.reconciling.has(account)) {
      this.again.add(account);
      return;
    }
    const run = this.reconcile(account)
      .catch((error: unknown) => this.options.log.error({ err: error, account }, 'live reconcile failed'))
      .finally(() => {
        this.reconciling.delete(account);
        if (this.again.delete(account)) this.reconcileSoon(account);
      });
    this.reconciling.set(account, run);
  }

  /** Starts the work the account's records ask for that nobody here is doing. */
  private async reconcile(account: string): Promise<void> {
    const view = await this.options.entities.view(account);
    if (this.closed) return;
    // First the channels to listen again, so that work on them waits for them (channelReady).
    for (const channel of view.list('Channels')) {
      const id = channel.Id as string;
      if (channel.State === ChannelState.Running && !this.listening.has(keyOf(account, id))) {
        this.launch(`restart ${keyOf(account, id)}`, () => this.restartChannel(account, id));
      }
    }
    const operations = view
      .list('Operations')
      .filter((o) => o.State === OperationState.InProgress && !this.abandoned.has(o.Id as string))
      .sort((a, b) => (a._created as number) - (b._created as number));
    for (const operation of operations) {
      const id = operation.Id as string;
      this.launch(id, () => this.perform(account, id));
    }
    for (const operation of view.list('Operations')) {
      const id = operation.Id as string;
      const channelId = operation.TargetEntityId as string;
      if (
        operation._action !== 'Channels.Delete' ||
        operation.State !== OperationState.Succeeded ||
        this.forgotten.has(id) ||
        view.get('Channels', channelId)
      )
        continue;
      this.forgotten.add(id);
      this.launch(`forget ${id}`, () => this.forgetChannel(account, channelId));
    }
  }

  private launch(key: string, work: () => Promise<void>): void {
    if (this.tasks.has(key) || this.closed) return;
    const done = work()
      .catch((error: unknown) => {
        // The term is over: the next holder does this work.
        if (error instanceof LiveLeaseLost)
          this.options.log.info?.({ key }, 'live: work left to the next term');
        else this.options.log.error({ err: error, key }, 'live work failed');
      })
      .finally(() => this.tasks.delete(key));
    this.tasks.set(key, done);
  }

  /** Whether the channel listens here, once a restart of it under way has ended. */
  private async channelReady(account: string, channelId: string): Promise<boolean> {
    const key = keyOf(account, channelId);
    await this.tasks.get(`restart ${key}`);
    return this.listening.has(key);
  }

  /** A pipeline call, bounded: past the limit it fails with Timeout. */
  private async call<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LiveIngestError(
              'Timeout',
              `The live pipeline did not answer within ${Math.round(this.callTimeoutMs / 1000)} seconds.`,
            ),
          ),
        this.callTimeoutMs,
      );
    });
    try {
      return await Promise.race([work, limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** What an operation reports of a failure: the pipeline's code, or InternalError (logged). */
  private failure(error: unknown, doing: string): OperationError {
    if (error instanceof LiveIngestError) return { code: error.code, message: error.message };
    this.options.log.error({ err: error }, `live pipeline failed ${doing}`);
    return { code: 'InternalError', message: `An internal error occurred while ${doing}.` };
  }

  /** One unit of work that must land; retried, and left to the next term when it cannot. */
  private async finalWrite(
    account: string,
    key: string,
    work: (writer: AccountWriter) => unknown,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.write(account, work);
        return;
      } catch (error) {
        const delay = this.retryDelays[attempt];
        if (delay === undefined || this.closed || error instanceof LiveLeaseLost) {
          this.abandoned.add(key);
          this.options.log.error(
            { err: error, key },
            'live: an outcome could not be written; the next term finishes it',
          );
          return;
        }
        await sleep(delay);
      }
    }
  }

  /** Ends an operation, with its entity changed. */
  private end(
    work: Work,
    outcome: { change?: (entity: EntityRecord) => EntityRecord; error?: OperationError } = {},
  ): Promise<void> {
    const id = work.operation.Id as string;
    return this.finalWrite(work.account, id, (writer) => settle(writer, id, Date.now(), outcome));
  }

  private async perform(account: string, operationId: string): Promise<void> {
    const claimed = await this.write(account, (writer) => claimOperation(writer, operationId, Date.now()));
    if (!claimed || this.closed) return;
    const work: Work = { ...claimed, account };
    const action = claimed.operation._action as string;
    switch (action) {
      case 'Channels.Start':
        return this.startChannel(work);
      case 'Channels.Stop':
        return this.stopChannel(work);
      case 'Channels.Reset':
      case 'Channels.ShowSlate':
      case 'Channels.HideSlate':
      case 'Channels.StartAdvertisement':
      case 'Channels.EndAdvertisement':
        return this.channelAction(work, action.slice('Channels.'.length));
      case 'Programs.Start':
        return this.startProgram(work);
      case 'Programs.Stop':
        return this.stopProgram(work);
      case 'StreamingEndpoints.Start':
        return this.endpointTransition(work, EndpointState.Starting, () => EndpointState.Running);
      case 'StreamingEndpoints.Stop':
        return this.endpointTransition(work, EndpointState.Stopping, () => EndpointState.Stopped);
      case 'StreamingEndpoints.Scale':
        return this.endpointTransition(work, EndpointState.Scaling, (endpoint) => endpoint);
      default:
        return this.end(work, {
          error: { code: 'InternalError', message: `The operation '${action}' is not known to this server.` },
        });
    }
  }

  /** The entity is not in the state the operation moves it from: nothing to do but say so. */
  private mismatch(work: Work, expected: string): Promise<void> {
    return this.end(work, {
      error: {
        code: 'InvalidOperation',
        message: `'${String(work.target.Id)}' is ${String(work.target.State)}, not ${expected}.`,
      },
    });
  }

  private async startChannel(work: Work): Promise<void> {
    const { account, target } = work;
    if (target.State !== ChannelState.Starting) return this.mismatch(work, ChannelState.Starting);
    const id = target.Id as string;
    const key = keyOf(account, id);
    let endpoints = this.listening.get(key);
    if (!endpoints) {
      try {
        endpoints = await this.call(
          this.options.ingest.startChannel(
            channelSpec(account, target),
            typeof target._origin === 'string' ? target._origin : this.options.origin(),
          ),
        );
      } catch (error) {
        if (this.closed) return;
        const failure = this.failure(error, 'starting the channel');
        // A start that timed out may still complete: it must not leave a listener behind.
        if (failure.code === 'Timeout') this.options.ingest.stopChannel(account, id).catch(() => undefined);
        return this.end(work, { change: (c) => ({ ...c, State: ChannelState.Stopped }), error: failure });
      }
      if (this.closed) return this.unlisten(account, id);
      this.listened(account, target, endpoints);
    }
    if (this.closed) return;
    const published = endpoints;
    return this.end(work, {
      change: (c) => ({ ...withEndpoints(c, published), State: ChannelState.Running }),
    });
  }

  private async stopChannel(work: Work): Promise<void> {
    const { account, target } = work;
    if (target.State !== ChannelState.Stopping) return this.mismatch(work, ChannelState.Stopping);
    const id = target.Id as string;
    const key = keyOf(account, id);
    await this.channelReady(account, id);
    if (this.listening.has(key)) {
      try {
        await this.call(this.options.ingest.stopChannel(account, id));
      } catch (error) {
        if (this.closed) return;
        // It still listens, as far as anyone can tell.
        const failure = this.failure(error, 'stopping the channel');
        return this.end(work, { change: (c) => ({ ...c, State: ChannelState.Running }), error: failure });
      }
      this.listening.delete(key);
      this.previews.delete(key);
    }
    if (this.closed) return;
    return this.end(work, { change: (c) => ({ ...c, State: ChannelState.Stopped }) });
  }

  /** Reset, slates and ad markers: the channel keeps its state. */
  private async channelAction(work: Work, action: string): Promise<void> {
    const { account, target, operation, interrupted } = work;
    const id = target.Id as string;
    if (interrupted) {
      // The channel listened again from scratch: its live window is empty, no slate or break shows.
      const undone = action === 'ShowSlate' || action === 'StartAdvertisement';
      return this.end(work, {
        ...(undone
          ? {
              error: {
                code: 'InternalError',
                message: `The server stopped before ${action} completed; send it again.`,
              },
            }
          : {}),
      });
    }
    if (target.State !== ChannelState.Running || !(await this.channelReady(account, id))) {
      return this.end(work, {
        error: { code: 'InvalidOperation', message: `The channel '${String(target.Name)}' is not running.` },
      });
    }
    const parameters = (operation._parameters ?? {}) as Record<string, unknown>;
    const { ingest } = this.options;
    try {
      switch (action) {
        case 'Reset':
          await this.call(ingest.resetChannel(account, id));
          break;
        case 'ShowSlate':
          await this.call(
            ingest.showSlate(account, id, {
              durationSeconds: parameters.durationSeconds as number,
              assetId: (parameters.assetId as string | null) ?? null,
            }),
          );
          break;
        case 'HideSlate':
          await this.call(ingest.hideSlate(account, id));
          break;
        case 'StartAdvertisement':
          await this.call(
            ingest.startAdvertisement(account, id, {
              cueId: parameters.cueId as number,
              durationSeconds: parameters.durationSeconds as number,
              showSlate: parameters.showSlate === true,
            }),
          );
          break;
        default:
          await this.call(ingest.endAdvertisement(account, id, { cueId: parameters.cueId as number }));
      }
    } catch (error) {
      if (this.closed) return;
      return this.end(work, { error: this.failure(error, `running ${action} on the channel`) });
    }
    if (this.closed) return;
    return this.end(work);
  }

  private async startProgram(work: Work): Promise<void> {
    const { account, target } = work;
    if (target.State !== ProgramState.Starting) return this.mismatch(work, ProgramState.Starting);
    const channelId = target.ChannelId as string;
    if (!(await this.channelReady(account, channelId))) {
      return this.end(work, {
        change: (p) => ({ ...p, State: ProgramState.Stopped }),
        error: { code: 'InvalidOperation', message: `The channel '${channelId}' is not running.` },
      });
    }
    const key = keyOf(account, target.Id as string);
    if (!this.recording.has(key)) {
      try {
        await this.call(this.options.ingest.startProgram(programSpec(account, target)));
      } catch (error) {
        if (this.closed) return;
        return this.end(work, {
          change: (p) => ({ ...p, State: ProgramState.Stopped }),
          error: this.failure(error, 'starting the program'),
        });
      }
      this.recording.set(key, programOutput(account, target));
    }
    if (this.closed) return;
    return this.end(work, { change: (p) => ({ ...p, State: ProgramState.Running }) });
  }

  private async stopProgram(work: Work): Promise<void> {
    const { account, target, interrupted } = work;
    if (target.State !== ProgramState.Stopping) return this.mismatch(work, ProgramState.Stopping);
    const id = target.Id as string;
    const key = keyOf(account, id);
    await this.channelReady(account, target.ChannelId as string);
    const wasRecording = this.recording.has(key);
    let files;
    try {
      files = await this.call(this.options.ingest.stopProgram(account, id));
    } catch (error) {
      if (this.closed) return;
      this.recording.delete(key);
      const failure: OperationError =
        interrupted && !wasRecording
          ? {
              code: 'InternalError',
              message:
                'The server stopped while the program was stopping; its recording could not be finalised.',
            }
          : this.failure(error, 'stopping the program');
      return this.end(work, {
        change: (p) => ({ ...p, State: ProgramState.Stopped, _recorded: true }),
        error: failure,
      });
    }
    this.recording.delete(key);
    if (this.closed) return;
    const recorded = files;
    const operationId = work.operation.Id as string;
    return this.finalWrite(account, operationId, (writer) => {
      const now = Date.now();
      const program = writer.get('Programs', id);
      if (program?.State === ProgramState.Stopping)
        recordFiles(writer, program.AssetId as string, recorded, now);
      settle(writer, operationId, now, {
        change: (p) => ({ ...p, State: ProgramState.Stopped, _recorded: true }),
      });
    });
  }

  /** Start, Stop and Scale of a streaming endpoint: no pipeline, the transition just ends. */
  private endpointTransition(
    work: Work,
    from: string,
    to: (endpoint: EntityRecord) => string | EntityRecord,
  ): Promise<void> {
    if (work.target.State !== from) return this.mismatch(work, from);
    const parameters = (work.operation._parameters ?? {}) as Record<string, unknown>;
    const before = work.operation._stateBefore;
    return this.end(work, {
      change: (endpoint) => {
        const next = to(endpoint);
        if (typeof next === 'string') return { ...endpoint, State: next };
        const { _servingWhileScaling: _, ...rest } = endpoint;
        return {
          ...rest,
          ScaleUnits: parameters.scaleUnits,
          State: typeof before === 'string' ? before : EndpointState.Stopped,
        };
      },
    });
  }

  /** A deleted channel: the pipeline forgets it; a failure is logged and the next start asks again. */
  private async forgetChannel(account: string, channelId: string): Promise<void> {
    try {
      await this.call(this.options.ingest.forgetChannel(account, channelId));
    } catch (error) {
      if (this.closed) return;
      this.options.log.error(
        { err: error, account, channelId },
        'live: the pipeline could not forget a deleted channel; the next start tries again',
      );
    }
  }

  /** The pipeline listens for the channel: the URLs it published, and its preview for the mirror. */
  private listened(account: string, channel: EntityRecord, endpoints: ChannelEndpoints): void {
    const key = keyOf(account, channel.Id as string);
    this.listening.set(key, endpoints);
    this.previews.set(key, {
      kind: 'preview',
      account,
      channelId: channel.Id as string,
      previewAllow: channelSpec(account, channel).previewAllow,
    });
  }

  /** A start that completed after the term ended: the listener it opened must not stay. */
  private async unlisten(account: string, channelId: string): Promise<void> {
    await this.options.ingest.stopChannel(account, channelId).catch(() => undefined);
  }

  /** A channel recorded Running that this term has not started: it listens again, with its programs. */
  private async restartChannel(account: string, channelId: string): Promise<void> {
    const view = await this.options.entities.view(account);
    const channel = view.get('Channels', channelId);
    const key = keyOf(account, channelId);
    if (channel?.State !== ChannelState.Running || this.listening.has(key) || this.closed) return;
    const origin = typeof channel._origin === 'string' ? channel._origin : this.options.origin();
    let endpoints: ChannelEndpoints;
    try {
      endpoints = await this.call(this.options.ingest.startChannel(channelSpec(account, channel), origin));
    } catch (error) {
      if (this.closed) return;
      this.options.log.error(
        { err: error, account, channelId },
        'live: a channel recorded Running could not listen again; it is now Stopped',
      );
      if (error instanceof LiveIngestError && error.code === 'Timeout')
        this.options.ingest.stopChannel(account, channelId).catch(() => undefined);
      await this.finalWrite(account, `restart ${key}`, (writer) =>
        channelLost(writer, channelId, Date.now()),
      );
      return;
    }
    if (this.closed) return this.unlisten(account, channelId);
    this.listened(account, channel, endpoints);
    await this.finalWrite(account, `restart ${key}`, (writer) =>
      refreshEndpoints(writer, channelId, endpoints, Date.now()),
    );
    this.options.log.info?.({ account, channelId }, 'live: channel listens again');
    for (const program of programsOf(view, channelId)) {
      const programId = program.Id as string;
      const programKey = keyOf(account, programId);
      if (program.State !== ProgramState.Running || this.recording.has(programKey)) continue;
      try {
        await this.call(this.options.ingest.startProgram(programSpec(account, program)));
        this.recording.set(programKey, programOutput(account, program));
      } catch (error) {
        if (this.closed) return;
        this.options.log.error(
          { err: error, account, programId },
          'live: a program recorded Running could not record again; it is now Stopped',
        );
        await this.finalWrite(account, `restart ${programKey}`, (writer) =>
          programLost(writer, programId, Date.now()),
        );
      }
    }
  }
}
