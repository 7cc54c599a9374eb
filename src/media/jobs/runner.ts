import { mkdir, readdir, rm } from 'node:fs/promises';
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
import type { AccountWriter, MediaEntities } from '../persistence/mediaEntities.js';
import { ProgressWriter } from './progressWriter.js';
import { JobState } from './states.js';
import {
  claim,
  MAX_RUNNING_PROGRESS,
  endCanceled,
  fail,
  finish,
  requeueInterrupted,
  runnableTasks,
  setProgress,
  startProcessing,
} from './transitions.js';
import type { StateEvents } from './transitions.js';
import type { JobEvents } from './events.js';

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
}

/** Progress is written at most this often. */
const PROGRESS_INTERVAL_MS = 500;
/** A task's last write is retried this many times (with these delays) before it is left to the next start. */
/** How often the runner looks for work submitted by other processes. */
const POLL_MS = 1000;
const FINAL_WRITE_RETRY_MS = [200, 1000, 5000];

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs queued encoding tasks: for each account, as many at once as its reserved units allow (one
 * without any), highest job priority first, then oldest; a job's tasks in order, each once the
 * tasks whose outputs it reads have finished. States are written as they move (Queued →
 * Scheduled → Processing → Finished | Error | Canceled), progress as ffmpeg reports it, each
 * change also as an entry of the task's HistoricalEvents. A task ends in exactly one final
 * write: Finished together with its output Files (so a cancel either wins before it, leaving no
 * files, or is refused after it), or Error / Canceled. A server that stopped mid-task finds the
 * task Scheduled or Processing at start-up and runs it again from the start.
 */
export class JobRunner {
  private readonly running = new Map<string, Running>();
  private readonly pendingAccounts = new Set<string>();
  private scheduled = false;
  private closed = false;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private polledVersion = -1;
  private readonly retryDelays: readonly number[];

  constructor(private readonly options: JobRunnerOptions) {
    this.retryDelays = options.finalWriteRetryMs ?? FINAL_WRITE_RETRY_MS;
  }

  /** Clears the scratch space, puts every interrupted task back in the queue, then starts what can start. */
  async start(): Promise<void> {
    const { workDir } = this.options;
    await mkdir(workDir, { recursive: true, mode: 0o700 });
    // Nothing runs yet: whatever is here was left by a server that stopped mid-task.
    for (const entry of await readdir(workDir)) {
      await rm(join(workDir, entry), { recursive: true, force: true });
    }
    for (const account of await this.options.accountsWithJobs()) {
      await this.options.entities.write(account, (writer) => requeueInterrupted(writer, Date.now()));
      this.wake(account);
    }
    this.poller = setInterval(() => void this.poll(), this.options.pollMs ?? POLL_MS);
    this.poller.unref();
  }

  /**
   * Another process (the CLI, another node) may submit or cancel jobs: nothing wakes this runner
   * for those. Once a second, when the media change counter has moved, the accounts with jobs are
   * looked at again: runnable tasks start, and encoders of jobs canceled or deleted elsewhere stop.
   */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const version = await this.options.entities.version();
      if (version === this.polledVersion) return;
      this.polledVersion = version;
      for (const account of await this.options.accountsWithJobs()) {
        const view = await this.options.entities.view(account);
        for (const key of this.runningFor(account)) {
          const [, jobId = ''] = key.split(' ');
          const state = view.get('Jobs', jobId)?.State;
          if (state === undefined || state === JobState.Canceling || state === JobState.Canceled) {
            this.running.get(key)?.controller.abort(new Error('canceled'));
          }
        }
        if (runnableTasks(view).length > 0 || view.list('Jobs').some((j) => j.State === JobState.Canceling)) {
          this.wake(account);
        }
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'job poll failed');
    } finally {
      this.polling = false;
    }
  }

  wake(account: string): void {
    if (this.closed) return;
    this.pendingAccounts.add(account);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const accounts = [...this.pendingAccounts];
      this.pendingAccounts.clear();
      for (const name of accounts) {
        this.schedule(name).catch((error: unknown) =>
          this.options.log.error({ err: error, account: name }, 'job scheduling failed'),
        );
      }
    });
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

  /** Stops every encoder; interrupted tasks run again at the next start. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    const runs = [...this.running.values()];
    for (const run of runs) run.controller.abort(new Error('shutdown'));
    await Promise.allSettled(runs.map((r) => r.done));
  }

  /** Waits until nothing runs (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.scheduled) {
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
    await this.endOrphanedCancels(account);
    const view = await this.options.entities.view(accountName);
    // Checked again after every await: a closed runner starts nothing (its store is closing).
    if (this.closed) return;
    const limit = concurrentTasks(reservedUnits(account, view));
    let free = limit - this.runningFor(accountName).length;
    if (free <= 0) return;
    for (const { job, task } of runnableTasks(view)) {
      if (free <= 0) break;
      const key = `${accountName} ${job.Id as string} ${task.Id as string}`;
      if (this.running.has(key)) continue;
      free -= 1;
      const controller = new AbortController();
      const done = this.run(account, job.Id as string, task.Id as string, controller.signal)
        .catch((error: unknown) =>
          this.options.log.error({ err: error, taskId: task.Id }, 'encoding task could not be run'),
        )
        .finally(() => {
          this.running.delete(key);
          this.wake(accountName);
        });
      this.running.set(key, { controller, done });
    }
  }

  /** Jobs Canceling with no encoder of theirs running here: nothing is left to stop, so they are Canceled. */
  private async endOrphanedCancels(account: MediaAccount): Promise<void> {
    const name = account.name;
    const view = await this.options.entities.view(name);
    const orphaned = view
      .list('Jobs')
      .filter((j) => j.State === JobState.Canceling && this.runningFor(name, j.Id as string).length === 0)
      .map((j) => j.Id as string);
    if (orphaned.length === 0 || this.closed) return;
    const events = await this.options.entities.write(name, (writer) => {
      const all: StateEvents = [];
      for (const jobId of orphaned) {
        // Checked again in the unit: a task of the job may have started since the view was read.
        if (writer.get('Jobs', jobId)?.State !== JobState.Canceling) continue;
        if (this.runningFor(name, jobId).length > 0) continue;
        all.push(...endCanceled(writer, jobId, Date.now()));
      }
      return all;
    });
    this.notify(account, events);
  }

  private async run(
    account: MediaAccount,
    jobId: string,
    taskId: string,
    signal: AbortSignal,
  ): Promise<void> {
    const { entities, log } = this.options;
    const name = account.name;
    const claimed = await entities.write(name, (writer) => claim(writer, jobId, taskId, Date.now()));
    if (!claimed) return;
    this.notify(account, claimed.events);
    const outputDir = join(this.options.workDir, guidOf(taskId) ?? taskId.replace(/\W/g, ''));
    const progress = new ProgressWriter((percent) =>
      entities
        .write(name, (writer) => setProgress(writer, taskId, percent, Date.now()))
        .catch((error: unknown) => {
          log.error({ err: error, taskId }, 'task progress could not be written');
        }),
    );
    try {
      if (signal.aborted) throw abortError(signal);
      await rm(outputDir, { recursive: true, force: true });
      const tools = await this.options.tools();
      const input = await this.inputFiles(name, taskId);
      if (signal.aborted) throw abortError(signal);
      const started = await entities.write(name, (writer) =>
        startProcessing(writer, jobId, taskId, Date.now()),
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
      const finished = await this.storeOutputs(name, jobId, taskId, outputDir, result, signal);
      this.notify(account, finished);
    } catch (error) {
      await progress.stop();
      if (this.closed && isAbortError(error)) return; // interrupted by shutdown: requeued at start
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
      const ended = await this.finalWrite(name, taskId, (writer) =>
        fail(writer, jobId, taskId, outcome.state, outcome.details, Date.now()),
      );
      this.notify(account, ended);
    } finally {
      await rm(outputDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * A task's last write, retried while the store refuses it: a task must not stay Processing
   * because one write failed. If every attempt fails (or the runner closes meanwhile), the task
   * is still Scheduled or Processing and the next start runs it again.
   */
  private async finalWrite(
    account: string,
    taskId: string,
    work: (writer: AccountWriter) => StateEvents,
  ): Promise<StateEvents | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.options.entities.write(account, work);
      } catch (error) {
        const delay = this.retryDelays[attempt];
        if (delay === undefined || this.closed) {
          this.options.log.error(
            { err: error, taskId },
            'the end of an encoding task could not be written; it runs again at the next start',
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
    jobId: string,
    taskId: string,
    outputDir: string,
    result: EncodeResult,
    signal: AbortSignal,
  ): Promise<StateEvents> {
    const { blobs, entities } = this.options;
    const view = await entities.view(account);
    const [output] = view.targets('Tasks', taskId, 'OutputMediaAssets');
    if (!output) throw new EncodingError('ErrorProcessingTask', 'The task has no output asset.');
    const assetId = output.targetId;
    const container = containerOf(assetId);
    const moved: Array<{ name: string; size: number; mimeType: string; isPrimary: boolean }> = [];
    let recorded = false;
    try {
      for (const file of result.files) {
        if (signal.aborted) throw abortError(signal);
        const blob = await blobs.adopt(container, file.name, join(outputDir, file.name), file.mimeType);
        moved.push({ name: file.name, size: blob.size, mimeType: file.mimeType, isPrimary: file.isPrimary });
      }
      if (signal.aborted) throw abortError(signal);
      const events = await entities.write(account, (writer) => {
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
        return finish(writer, jobId, taskId, result, now);
      });
      if (!events) throw abortError(signal);
      recorded = true;
      return events;
    } finally {
      if (!recorded) {
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
