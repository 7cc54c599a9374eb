import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaAccount } from '../accounts.js';
import type { BlobStore } from '../blobs/blobStore.js';
import { encode } from '../encoding/encoder.js';
import type { EncodeResult } from '../encoding/encoder.js';
import { EncodingError, abortError, isAbortError } from '../encoding/errors.js';
import type { FfmpegTools } from '../encoding/ffmpegBinary.js';
import { concurrentTasks, reservedUnits } from '../entities/encodingReservedUnitTypes.js';
import { addFile } from '../entities/files.js';
import { containerOf, guidOf } from '../ids.js';
import type { AccountWriter, MediaEntities, WriteOptions } from '../persistence/mediaEntities.js';
import { ClaimRefused, LeaseLost, leaseKey } from '../persistence/taskClaims.js';
import type { TaskLease } from '../persistence/taskClaims.js';
import { newNodeId } from './nodeIdentity.js';
import { ProgressWriter } from './progressWriter.js';
import { findOrphans, hasOrphans, recoverOrphans } from './recovery.js';
import { removeAbandonedRuns, runFolder, runFolderName } from './scratch.js';
import { JobState } from './states.js';
import {
  claim,
  MAX_RUNNING_PROGRESS,
  fail,
  finish,
  runnableTasks,
  setProgress,
  startProcessing,
} from './transitions.js';
import type { StateEvents } from './transitions.js';
import type { JobEvents } from './events.js';
import { AccountWakes } from '../accountWakes.js';

export interface JobRunnerOptions {
  entities: MediaEntities;
  accounts: { find(name: string): Promise<MediaAccount | null> };
  /** Accounts that have jobs, for the scan at start-up. */
  accountsWithJobs(): Promise<string[]>;
  blobs: BlobStore;
  tools: () => Promise<FfmpegTools>;
  /** Scratch space for encoder outputs before they move into their asset's container. */
  workDir: string;
  events: JobEvents;
  log: { error(obj: unknown, msg: string): void; info?(obj: unknown, msg: string): void };
  /** Delays between attempts of a task's final write (tests shorten them). */
  finalWriteRetryMs?: readonly number[];
  /** How often to look for jobs submitted or canceled by other processes (tests shorten it). */
  pollMs?: number;
  /** This runner's name in task leases; a new one per runner unless given. */
  node?: string;
  /** How long a task's lease lasts unless renewed: how long a dead node's tasks wait (tests shorten it). */
  leaseMs?: number;
  /** How often leases are renewed and running jobs checked for cancels made elsewhere (tests shorten it). */
  heartbeatMs?: number;
}

/** Progress is written at most this often. */
const PROGRESS_INTERVAL_MS = 500;
/** How often the runner looks for work submitted by other processes. */
const POLL_MS = 1000;
/** A task's last write is retried with these delays before it is left to the next start. */
const FINAL_WRITE_RETRY_MS = [200, 1000, 5000];
const LEASE_MS = 30_000;
const HEARTBEAT_MS = 5000;
/**
 * A node that could not renew its leases for this share of their length stops its encoders: by
 * the time another node may take the tasks over, it no longer writes them.
 */
const SELF_FENCE = 0.8;
/** The runner's units only stage changes on their writer: each may run again over a newer view. */
const RERUNNABLE: WriteOptions = { retryOnConflict: true };

interface Running {
  account: string;
  jobId: string;
  taskId: string;
  controller: AbortController;
  done: Promise<void>;
  /** When this node last knew its lease good (undefined until the task is claimed). */
  renewedAt?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs queued encoding tasks: for each account, as many at once as its reserved units allow (one
 * without any), highest job priority first, then oldest; a job's tasks in order, each once the
 * tasks whose outputs it reads have finished. States are written as they move (Queued →
 * Scheduled → Processing → Finished | Error | Canceled), progress as ffmpeg reports it, each
 * change also as an entry of the task's HistoricalEvents. A task ends in exactly one final
 * write: Finished together with its output Files (so a cancel either wins before it, leaving no
 * files, or is refused after it), or Error / Canceled.
 *
 * Several runners share one store and media folder (nodes on PostgreSQL; servers on one SQLite
 * data folder). A runner claims a task by taking its lease in the unit that moves it to
 * Scheduled (persistence/taskClaims.ts), so exactly one runs it, and the reserved units bound
 * the account's tasks across all of them; it renews its leases while ffmpeg runs and gives the
 * lease up in the task's final write. A runner whose node dies stops renewing: once the lease
 * expires, the next runner to look queues the task again and one of them runs it from the start
 * (outputs go to a folder of the run's own and are adopted only at the end). One that stops
 * lets its leases expire at once. A runner that finds its lease gone (it stalled past the
 * lease) stops its encoder and writes nothing more of the task. A cancel made on any node
 * reaches the runner of the encoder through the store: it sees the job Canceling when it next
 * polls or beats, and stops ffmpeg.
 */
export class JobRunner {
  /** This runner's name in leases and run folders. */
  readonly node: string;
  private readonly running = new Map<string, Running>();
  private readonly wakes = new AccountWakes(
    (account) =>
      void this.schedule(account).catch((error: unknown) =>
        this.options.log.error({ err: error, account }, 'job scheduling failed'),
      ),
  );
  private closed = false;
  private poller: NodeJS.Timeout | undefined;
  private heart: NodeJS.Timeout | undefined;
  private polling = false;
  private beating = false;
  private polledVersion = -1;
  private readonly retryDelays: readonly number[];
  private readonly leaseMs: number;

  constructor(private readonly options: JobRunnerOptions) {
    this.retryDelays = options.finalWriteRetryMs ?? FINAL_WRITE_RETRY_MS;
    this.node = options.node ?? newNodeId();
    this.leaseMs = options.leaseMs ?? LEASE_MS;
  }

  private get claims() {
    return this.options.entities.claims;
  }

  /**
   * Clears the scratch space of runs no node is doing, puts every task no node runs back in the
   * queue, then starts what can start.
   */
  async start(): Promise<void> {
    const { workDir } = this.options;
    await removeAbandonedRuns(workDir, async () => {
      const leases = await this.claims.leases();
      return new Set(leases.filter((l) => l.live).map((l) => runFolderName(l.taskId, l.node)));
    });
    for (const account of await this.options.accountsWithJobs()) {
      const found = await this.options.accounts.find(account);
      if (found) await this.recover(found);
      this.wake(account);
    }
    this.poller = setInterval(() => void this.poll(), this.options.pollMs ?? POLL_MS);
    this.poller.unref();
    const heartbeatMs = this.options.heartbeatMs ?? Math.min(HEARTBEAT_MS, this.leaseMs / 3);
    this.heart = setInterval(() => void this.beat(), heartbeatMs);
    this.heart.unref();
  }

  /**
   * Another process (the CLI, another node) may submit or cancel jobs, and a node may die with
   * tasks claimed: nothing wakes this runner for those. Every second the leases are read (a
   * small table): accounts with an expired one are scheduled, which queues their tasks again.
   * When the media change counter has moved, the accounts with jobs are looked at again:
   * runnable tasks start, and encoders of jobs canceled or deleted elsewhere stop.
   */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const version = await this.options.entities.version();
      const moved = version !== this.polledVersion;
      this.polledVersion = version;
      const views = [];
      if (moved) {
        for (const account of await this.options.accountsWithJobs()) {
          views.push(await this.options.entities.view(account));
        }
      }
      const leases = await this.claims.leases();
      const due = new Set(leases.filter((l) => !l.live).map((l) => l.account));
      for (const view of views) {
        const account = view.account;
        this.stopCanceled(account, view);
        const live = liveTasks(leases, account);
        if (
          runnableTasks(view).length > 0 ||
          view.list('Jobs').some((j) => j.State === JobState.Canceling) ||
          hasOrphans(findOrphans(view, live))
        ) {
          due.add(account);
        }
      }
      for (const account of due) this.wake(account);
    } catch (error) {
      this.options.log.error({ err: error }, 'job poll failed');
    } finally {
      this.polling = false;
    }
  }

  /** Stops the encoders of this account's jobs that were canceled or deleted (here or elsewhere). */
  private stopCanceled(
    account: string,
    view: { get(set: string, id: string): { State?: unknown } | undefined },
  ) {
    for (const key of this.runningFor(account)) {
      const run = this.running.get(key);
      if (!run) continue;
      const state = view.get('Jobs', run.jobId)?.State;
      if (state === undefined || state === JobState.Canceling || state === JobState.Canceled) {
        run.controller.abort(new Error('canceled'));
      }
    }
  }

  /**
   * The heartbeat: renews every lease of this node, stops the encoders whose lease is gone (taken
   * over while this node stalled), or all of them once renewing has failed for most of a lease;
   * and stops encoders of jobs canceled elsewhere.
   */
  private async beat(): Promise<void> {
    if (this.beating || this.closed || this.running.size === 0) return;
    this.beating = true;
    try {
      const claimed = [...this.running.values()].filter((r) => r.renewedAt !== undefined);
      try {
        const held = await this.claims.renewAll(this.node, this.leaseMs, claimed);
        const now = Date.now();
        for (const run of claimed) {
          if (held.has(leaseKey(run.account, run.taskId))) run.renewedAt = now;
          else if (this.running.get(runKey(run)) === run) run.controller.abort(new LeaseLost('lease lost'));
        }
      } catch (error) {
        this.options.log.error({ err: error }, 'task leases could not be renewed');
        const limit = Date.now() - this.leaseMs * SELF_FENCE;
        for (const run of claimed) {
          if ((run.renewedAt ?? Infinity) < limit) run.controller.abort(new LeaseLost('lease not renewed'));
        }
      }
      for (const account of new Set([...this.running.values()].map((r) => r.account))) {
        this.stopCanceled(account, await this.options.entities.view(account));
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'job heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  wake(account: string): void {
    if (this.closed) return;
    this.wakes.add(account);
  }

  /**
   * Stops the encoders of a canceled job at once; each of its tasks then ends Canceled. A job left
   * Canceling with nothing running (its next task had not started) is ended by the wake.
   */
  cancel(account: string, jobId: string): void {
    for (const [taskKey, run] of this.running) {
      if (taskKey.startsWith(`${account} ${jobId} `)) run.controller.abort(new Error('canceled'));
    }
    this.wake(account);
  }

  /**
   * Stops every encoder and lets this node's leases expire: interrupted tasks stay as they are
   * and run again as soon as a runner looks (this one's successor, or another node's).
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    clearInterval(this.heart);
    const runs = [...this.running.values()];
    for (const run of runs) run.controller.abort(new Error('shutdown'));
    await Promise.allSettled(runs.map((r) => r.done));
    try {
      await this.claims.expireAll(this.node);
    } catch (error) {
      this.options.log.error({ err: error }, 'task leases could not be given up; they expire on their own');
    }
  }

  /** Waits until nothing runs (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.wakes.due) {
      await Promise.allSettled([...this.running.values()].map((r) => r.done));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private runningFor(account: string, jobId?: string): string[] {
    const prefix = jobId === undefined ? `${account} ` : `${account} ${jobId} `;
    return [...this.running.keys()].filter((k) => k.startsWith(prefix));
  }

  private async schedule(accountName: string): Promise<void> {
    const account = await this.options.accounts.find(accountName);
    if (!account || this.closed) return;
    const live = await this.recover(account);
    const view = await this.options.entities.view(accountName);
    // Checked again after every await: a closed runner starts nothing (its store is closing).
    if (this.closed) return;
    const limit = concurrentTasks(reservedUnits(account, view));
    // The account's tasks running anywhere: leased ones, and those this runner is claiming.
    const busy = new Set(live);
    for (const key of this.runningFor(accountName)) {
      const run = this.running.get(key);
      if (run) busy.add(run.taskId);
    }
    let free = limit - busy.size;
    for (const { job, task } of runnableTasks(view)) {
      if (free <= 0) break;
      const jobId = job.Id as string;
      const taskId = task.Id as string;
      const key = `${accountName} ${jobId} ${taskId}`;
      if (this.running.has(key)) continue;
      free -= 1;
      const controller = new AbortController();
      const run: Running = { account: accountName, jobId, taskId, controller, done: Promise.resolve() };
      run.done = this.run(account, run, limit)
        .then((ran) => {
          // A claim refused (another runner was first, or the units are taken) wakes nothing:
          // that runner's progress will, and waking here would only try again at once.
          if (ran) this.wake(accountName);
        })
        .catch((error: unknown) =>
          this.options.log.error({ err: error, taskId }, 'encoding task could not be run'),
        )
        .finally(() => {
          if (this.running.get(key) === run) this.running.delete(key);
        });
      this.running.set(key, run);
    }
  }

  /**
   * Puts back in the queue the account's tasks no node runs (their lease expired or is gone) and
   * ends Canceled the Canceling jobs no node is stopping. The view is read before the leases, so
   * a task claimed in between is seen with its lease; the unit checks again, in its transaction,
   * that those leases are not live. Returns the ids of the account's tasks with a live lease.
   */
  private async recover(account: MediaAccount): Promise<Set<string>> {
    const name = account.name;
    const view = await this.options.entities.view(name);
    const leases = await this.claims.leases(name);
    const live = liveTasks(leases, name);
    if (!hasOrphans(findOrphans(view, live)) || this.closed) return live;
    let recovered: { events: StateEvents; taskIds: string[] } | undefined;
    try {
      recovered = await this.options.entities.write(
        name,
        (writer) => {
          const found = recoverOrphans(writer, findOrphans(writer, live), Date.now());
          writer.withinCommit((trx) => this.claims.clearExpired(trx, name, found.taskIds));
          return found;
        },
        RERUNNABLE,
      );
    } catch (error) {
      // A lease came alive meanwhile (a node renewed, or claimed): that node has the task.
      if (error instanceof ClaimRefused) return live;
      throw error;
    }
    this.notify(account, recovered.events);
    // The folders of the runs that were given up: their nodes no longer write there.
    const given = new Set(recovered.taskIds);
    for (const lease of leases) {
      if (!given.has(lease.taskId) || lease.node === this.node) continue;
      await rm(runFolder(this.options.workDir, lease.taskId, lease.node), { recursive: true, force: true });
    }
    return live;
  }

  /** Claims the task and runs it; false when the claim was refused (nothing was run). */
  private async run(account: MediaAccount, run: Running, limit: number): Promise<boolean> {
    const { entities, log } = this.options;
    const { jobId, taskId, controller } = run;
    const { signal } = controller;
    const name = account.name;
    const lease = { account: name, taskId, node: this.node, leaseMs: this.leaseMs };
    let claimed: ReturnType<typeof claim>;
    try {
      claimed = await entities.write(
        name,
        (writer) => {
          const outcome = claim(writer, jobId, taskId, Date.now());
          if (outcome) writer.withinCommit((trx) => this.claims.acquire(trx, { ...lease, limit }));
          return outcome;
        },
        RERUNNABLE,
      );
    } catch (error) {
      if (error instanceof ClaimRefused) return false;
      throw error;
    }
    if (!claimed) return false;
    run.renewedAt = Date.now();
    this.notify(account, claimed.events);
    const outputDir = runFolder(this.options.workDir, taskId, this.node);
    const progress = new ProgressWriter((percent) =>
      entities
        .write(
          name,
          (writer) => {
            setProgress(writer, taskId, percent, Date.now());
            writer.withinCommit((trx) => this.claims.renew(trx, lease));
          },
          RERUNNABLE,
        )
        .catch((error: unknown) => {
          if (error instanceof LeaseLost) controller.abort(error);
          else log.error({ err: error, taskId }, 'task progress could not be written');
        }),
    );
    try {
      if (signal.aborted) throw abortError(signal);
      await rm(outputDir, { recursive: true, force: true });
      const tools = await this.options.tools();
      const input = await this.inputFiles(name, taskId);
      if (signal.aborted) throw abortError(signal);
      const started = await entities.write(
        name,
        (writer) => {
          const events = startProcessing(writer, jobId, taskId, Date.now());
          if (events) writer.withinCommit((trx) => this.claims.renew(trx, lease));
          return events;
        },
        RERUNNABLE,
      );
      // Canceled between the claim and now: the cancel's abort is on its way, or came already.
      if (!started) throw abortError(signal);
      this.notify(account, started);
      let lastWrite = 0;
      let lastProgress = 0;
      const result = await encode(tools, {
        inputs: input.files,
        ...(input.primaryName !== undefined ? { primaryName: input.primaryName } : {}),
        inputAssetGuid: input.assetGuid,
        configuration: claimed.configuration,
        outputDir,
        signal,
        onProgress: (reported) => {
          const percent = Math.min(MAX_RUNNING_PROGRESS, reported);
          const now = Date.now();
          if (percent <= lastProgress || now - lastWrite < PROGRESS_INTERVAL_MS) return;
          lastWrite = now;
          lastProgress = percent;
          progress.push(percent);
        },
      });
      await progress.stop();
      const finished = await this.storeOutputs(name, lease, jobId, outputDir, result, signal);
      this.notify(account, finished);
    } catch (error) {
      await progress.stop();
      if (error instanceof LeaseLost || signal.reason instanceof LeaseLost) {
        // Another node has (or will have) the task: nothing more of it is ours to write.
        log.info?.(
          { taskId, node: this.node },
          'the lease on an encoding task was lost; another node runs it',
        );
        return true;
      }
      if (this.closed && isAbortError(error)) return true; // interrupted by shutdown: run again by the next runner
      const outcome = isAbortError(error)
        ? { state: JobState.Canceled, details: [] }
        : error instanceof EncodingError
          ? { state: JobState.Error, details: [error.toErrorDetail()] }
          : {
              state: JobState.Error,
              details: [{ Code: 'ErrorProcessingTask', Message: 'The task failed unexpectedly.' }],
            };
      if (!isAbortError(error) && !(error instanceof EncodingError))
        log.error({ err: error, taskId }, 'encoding task failed');
      const ended = await this.finalWrite(name, taskId, (writer) => {
        const events = fail(writer, jobId, taskId, outcome.state, outcome.details, Date.now());
        writer.withinCommit((trx) => this.claims.release(trx, lease));
        return events;
      });
      this.notify(account, ended);
    } finally {
      await rm(outputDir, { recursive: true, force: true }).catch(() => undefined);
    }
    return true;
  }

  /**
   * A task's last write, retried while the store refuses it: a task must not stay Processing
   * because one write failed. If every attempt fails (or the runner closes meanwhile), the task
   * is still Scheduled or Processing; its lease, no longer renewed, expires, and the next runner
   * to look runs it again. A lease lost first means another runner has the task: nothing is written.
   */
  private async finalWrite(
    account: string,
    taskId: string,
    work: (writer: AccountWriter) => StateEvents,
  ): Promise<StateEvents | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.options.entities.write(account, work, RERUNNABLE);
      } catch (error) {
        if (error instanceof LeaseLost) {
          this.options.log.info?.({ taskId, node: this.node }, 'the lease on an ended task was lost first');
          return undefined;
        }
        const delay = this.retryDelays[attempt];
        if (delay === undefined || this.closed) {
          this.options.log.error(
            { err: error, taskId },
            'the end of an encoding task could not be written; it runs again once its lease expires',
          );
          return undefined;
        }
        await sleep(delay);
      }
    }
  }

  private async inputFiles(account: string, taskId: string) {
    const view = await this.options.entities.view(account);
    const [first] = view.targets('Tasks', taskId, 'InputMediaAssets');
    if (!first)
      throw new EncodingError('ErrorDownloadingInputAssetMalformedContent', 'The task has no input asset.');
    const assetId = first.targetId;
    const container = containerOf(assetId);
    const blobs = await this.options.blobs.list(container);
    const files = await Promise.all(
      blobs.map(async (b) => ({ name: b.name, path: await this.options.blobs.localPath(container, b.name) })),
    );
    const primary = view.list('Files').find((f) => f.ParentAssetId === assetId && f.IsPrimary === true);
    let primaryName = primary?.Name as string | undefined;
    if (primaryName !== undefined && MANIFEST.test(primaryName)) {
      // Another task's output, whose primary file is its server manifest: encode its top layer,
      // the largest of its MP4s.
      const largest = blobs
        .filter((b) => /\.mp4$/i.test(b.name))
        .reduce<(typeof blobs)[number] | undefined>((a, b) => (a && a.size >= b.size ? a : b), undefined);
      primaryName = largest?.name;
    }
    return { files, primaryName, assetGuid: guidOf(assetId) ?? assetId };
  }

  /**
   * Moves the encoder's files into the output asset's container, then, in one unit, records them
   * as Files and ends the task Finished, unless a cancel came first (the task is no longer
   * Processing): then the moved blobs are deleted and the task ends Canceled. A cancel or a
   * shutdown while blobs move stops the moves and deletes what was moved.
   */
  private async storeOutputs(
    account: string,
    lease: TaskLeaseRef,
    jobId: string,
    outputDir: string,
    result: EncodeResult,
    signal: AbortSignal,
  ): Promise<StateEvents> {
    const { blobs, entities } = this.options;
    const { taskId } = lease;
    const view = await entities.view(account);
    const [output] = view.targets('Tasks', taskId, 'OutputMediaAssets');
    if (!output) throw new EncodingError('ErrorProcessingTask', 'The task has no output asset.');
    const assetId = output.targetId;
    const container = containerOf(assetId);
    const moved: Array<{ name: string; size: number; mimeType: string; isPrimary: boolean }> = [];
    let recorded = false;
    // Once the lease is lost the files in the container may be the new runner's: they stay.
    let lost = false;
    try {
      // Still ours before anything moves: a runner that stalled past its lease adopts nothing.
      await this.claims.hold(lease);
      for (const file of result.files) {
        if (signal.aborted) throw abortError(signal);
        const blob = await blobs.adopt(container, file.name, join(outputDir, file.name), file.mimeType);
        moved.push({ name: file.name, size: blob.size, mimeType: file.mimeType, isPrimary: file.isPrimary });
      }
      if (signal.aborted) throw abortError(signal);
      const events = await entities.write(
        account,
        (writer) => {
          const task = writer.get('Tasks', taskId);
          if (task?.State !== JobState.Processing) return undefined;
          const now = Date.now();
          const ctx = { writer, now };
          for (const file of moved) {
            const existing = writer
              .list('Files')
              .find((f) => f.ParentAssetId === assetId && f.Name === file.name);
            if (existing)
              writer.update('Files', { ...existing, ContentFileSize: file.size, LastModified: now });
            else
              addFile(ctx, {
                name: file.name,
                parentAssetId: assetId,
                size: file.size,
                mimeType: file.mimeType,
                isPrimary: file.isPrimary,
              });
          }
          writer.withinCommit((trx) => this.claims.release(trx, lease));
          return finish(writer, jobId, taskId, result, now);
        },
        RERUNNABLE,
      );
      if (!events) throw abortError(signal);
      recorded = true;
      return events;
    } catch (error) {
      lost = error instanceof LeaseLost || signal.reason instanceof LeaseLost;
      throw error;
    } finally {
      if (!recorded && !lost) {
        await Promise.all(moved.map((f) => blobs.delete(container, f.name).catch(() => false)));
      }
    }
  }

  private notify(account: MediaAccount, events: StateEvents | undefined): void {
    if (!events || events.length === 0) return;
    this.options.entities
      .view(account.name)
      .then((view) => {
        for (const event of events) this.options.events.publish(view, { account, ...event });
      })
      .catch((error: unknown) => this.options.log.error({ err: error }, 'job event could not be published'));
  }
}

/** A server manifest or metadata file: never the media a task encodes. */
const MANIFEST = /\.(ism|ismc|xml)$/i;

type TaskLeaseRef = { account: string; taskId: string; node: string; leaseMs: number };

const runKey = (run: Running): string => `${run.account} ${run.jobId} ${run.taskId}`;

/** The ids of the account's tasks with a live lease. */
const liveTasks = (leases: readonly TaskLease[], account: string): Set<string> =>
  new Set(leases.filter((l) => l.live && l.account === account).map((l) => l.taskId));
