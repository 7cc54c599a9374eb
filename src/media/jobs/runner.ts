import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaAccount } from '../accounts.js';
import type { BlobStore } from '../blobs/blobStore.js';
import { encode } from '../encoding/encoder.js';
import type { EncodeResult } from '../encoding/encoder.js';
import { EncodingError, isAbortError } from '../encoding/errors.js';
import type { FfmpegTools } from '../encoding/ffmpegBinary.js';
import { concurrentTasks, reservedUnits } from '../entities/encodingReservedUnitTypes.js';
import { addFile } from '../entities/files.js';
import { containerOf, guidOf } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import type { AccountWriter, MediaEntities } from '../persistence/mediaEntities.js';
import { JobState, isFinal } from './states.js';

/** What the runner tells of state changes (webhooks); it must never block or throw. */
export interface JobEvents {
  publish(
    view: AccountView,
    event: {
      account: MediaAccount;
      job: EntityRecord;
      task?: EntityRecord;
      oldState: number;
      newState: number;
    },
  ): void;
}

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
}

/** Progress is written at most this often (and at 100). */
const PROGRESS_INTERVAL_MS = 500;

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

const ACTIVE = new Set<number>([JobState.Queued, JobState.Scheduled, JobState.Processing]);

/**
 * Runs queued encoding tasks: for each account, as many at once as its reserved units allow (one
 * without any), highest job priority first, then oldest; a job's tasks in order, each once the
 * tasks whose outputs it reads have finished. States are written as they move (Queued →
 * Scheduled → Processing → Finished | Error | Canceled), progress as ffmpeg reports it. A server
 * that stopped mid-task finds the task Processing at start-up and runs it again from the start.
 */
export class JobRunner {
  private readonly running = new Map<string, Running>();
  private readonly pendingAccounts = new Set<string>();
  private scheduled = false;
  private closed = false;

  constructor(private readonly options: JobRunnerOptions) {}

  /** Puts every interrupted task back in the queue, then starts what can start. */
  async start(): Promise<void> {
    await mkdir(this.options.workDir, { recursive: true, mode: 0o700 });
    for (const account of await this.options.accountsWithJobs()) {
      await this.options.entities.write(account, (writer) => requeueInterrupted(writer, Date.now()));
      this.wake(account);
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

  /** Stops the encoder of a canceled job at once; its task then ends Canceled. */
  cancel(account: string, jobId: string): void {
    for (const [taskKey, run] of this.running) {
      if (taskKey.startsWith(`${account} ${jobId} `)) run.controller.abort(new Error('canceled'));
    }
    this.wake(account);
  }

  /** Stops every encoder; interrupted tasks run again at the next start. */
  async close(): Promise<void> {
    this.closed = true;
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

  private async schedule(accountName: string): Promise<void> {
    const account = await this.options.accounts.find(accountName);
    if (!account || this.closed) return;
    const view = await this.options.entities.view(accountName);
    const limit = concurrentTasks(reservedUnits(account, view));
    const busy = [...this.running.keys()].filter((k) => k.startsWith(`${accountName} `)).length;
    let free = limit - busy;
    if (free <= 0) return;
    for (const { job, task } of runnableTasks(view)) {
      if (free <= 0) break;
      const key = `${accountName} ${job.Id as string} ${task.Id as string}`;
      if (this.running.has(key)) continue;
      free -= 1;
      const controller = new AbortController();
      const done = this.run(account, job.Id as string, task.Id as string, controller.signal).finally(() => {
        this.running.delete(key);
        this.wake(accountName);
      });
      this.running.set(key, { controller, done });
    }
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
    try {
      await rm(outputDir, { recursive: true, force: true });
      const tools = await this.options.tools();
      const input = await this.inputFiles(name, taskId);
      const started = await entities.write(name, (writer) =>
        startProcessing(writer, jobId, taskId, Date.now()),
      );
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
        onProgress: (percent) => {
          const now = Date.now();
          if (percent <= lastProgress || (now - lastWrite < PROGRESS_INTERVAL_MS && percent < 100)) return;
          lastWrite = now;
          lastProgress = percent;
          entities
            .write(name, (writer) => setProgress(writer, taskId, percent))
            .catch((error: unknown) => log.error({ err: error }, 'task progress could not be written'));
        },
      });
      await this.storeOutputs(name, taskId, outputDir, result);
      const finished = await entities.write(name, (writer) =>
        finish(writer, jobId, taskId, result, Date.now()),
      );
      this.notify(account, finished);
    } catch (error) {
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
      const ended = await entities.write(name, (writer) =>
        fail(writer, jobId, taskId, outcome.state, outcome.details, Date.now()),
      );
      this.notify(account, ended);
    } finally {
      await rm(outputDir, { recursive: true, force: true }).catch(() => undefined);
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
    return { files, primaryName: primary?.Name as string | undefined, assetGuid: guidOf(assetId) ?? assetId };
  }

  /** Moves the encoder's files into the output asset's container, then records them as Files. */
  private async storeOutputs(
    account: string,
    taskId: string,
    outputDir: string,
    result: EncodeResult,
  ): Promise<void> {
    const view = await this.options.entities.view(account);
    const [output] = view.targets('Tasks', taskId, 'OutputMediaAssets');
    if (!output) throw new EncodingError('ErrorProcessingTask', 'The task has no output asset.');
    const container = containerOf(output.targetId);
    for (const file of result.files) {
      await this.options.blobs.adopt(container, file.name, join(outputDir, file.name), file.mimeType);
    }
    await this.options.entities.write(account, (writer) => {
      const now = Date.now();
      const ctx = { writer, now };
      for (const file of result.files) {
        const existing = writer
          .list('Files')
          .find((f) => f.ParentAssetId === output.targetId && f.Name === file.name);
        if (existing) writer.update('Files', { ...existing, ContentFileSize: file.size, LastModified: now });
        else
          addFile(ctx, {
            name: file.name,
            parentAssetId: output.targetId,
            size: file.size,
            mimeType: file.mimeType,
            isPrimary: file.isPrimary,
          });
      }
    });
  }

  private notify(account: MediaAccount, events: StateEvents | undefined): void {
    if (!events) return;
    this.options.entities
      .view(account.name)
      .then((view) => {
        for (const event of events) this.options.events.publish(view, { account, ...event });
      })
      .catch((error: unknown) => this.options.log.error({ err: error }, 'job event could not be published'));
  }
}

type StateEvents = Array<{ job: EntityRecord; task?: EntityRecord; oldState: number; newState: number }>;

const tasksOfJob = (view: AccountView, jobId: string): EntityRecord[] =>
  view
    .list('Tasks')
    .filter((t) => t._jobId === jobId)
    .sort((a, b) => (a._order as number) - (b._order as number));

/** Tasks that can start now: their job is active and every task they read from has finished. */
function runnableTasks(view: AccountView): Array<{ job: EntityRecord; task: EntityRecord }> {
  const jobs = view
    .list('Jobs')
    .filter((j) => j._pending !== true && ACTIVE.has(j.State as number))
    .sort(
      (a, b) =>
        (b.Priority as number) - (a.Priority as number) || (a.Created as number) - (b.Created as number),
    );
  const result: Array<{ job: EntityRecord; task: EntityRecord }> = [];
  for (const job of jobs) {
    const tasks = tasksOfJob(view, job.Id as string);
    const producers = new Map<string, EntityRecord>();
    for (const task of tasks) {
      for (const l of view.targets('Tasks', task.Id as string, 'OutputMediaAssets'))
        producers.set(l.targetId, task);
    }
    for (const task of tasks) {
      if (task.State !== JobState.Queued) continue;
      const ready = view
        .targets('Tasks', task.Id as string, 'InputMediaAssets')
        .every((l) => (producers.get(l.targetId)?.State ?? JobState.Finished) === JobState.Finished);
      if (ready) result.push({ job, task });
    }
  }
  return result;
}

function claim(writer: AccountWriter, jobId: string, taskId: string, now: number) {
  const job = writer.get('Jobs', jobId);
  const task = writer.get('Tasks', taskId);
  if (!job || !task || task.State !== JobState.Queued || !ACTIVE.has(job.State as number)) return undefined;
  const events: StateEvents = [];
  const nextTask = { ...task, State: JobState.Scheduled };
  writer.update('Tasks', nextTask);
  events.push({ job, task: nextTask, oldState: task.State as number, newState: JobState.Scheduled });
  if (job.State === JobState.Queued) {
    const nextJob = { ...job, State: JobState.Scheduled, LastModified: now };
    writer.update('Jobs', nextJob);
    events.push({ job: nextJob, oldState: JobState.Queued, newState: JobState.Scheduled });
  }
  return { configuration: task.Configuration as string, events };
}

function startProcessing(writer: AccountWriter, jobId: string, taskId: string, now: number): StateEvents {
  const events: StateEvents = [];
  const job = writer.get('Jobs', jobId);
  const task = writer.get('Tasks', taskId);
  if (!job || !task) return events;
  const nextTask = { ...task, State: JobState.Processing, StartTime: now, Progress: 0 };
  writer.update('Tasks', nextTask);
  events.push({ job, task: nextTask, oldState: task.State as number, newState: JobState.Processing });
  if (job.State === JobState.Scheduled || job.State === JobState.Queued) {
    const nextJob = {
      ...job,
      State: JobState.Processing,
      StartTime: job.StartTime ?? now,
      LastModified: now,
    };
    writer.update('Jobs', nextJob);
    events.push({ job: nextJob, oldState: job.State as number, newState: JobState.Processing });
  }
  return events;
}

function setProgress(writer: AccountWriter, taskId: string, percent: number): void {
  const task = writer.get('Tasks', taskId);
  if (!task || task.State !== JobState.Processing || (task.Progress as number) >= percent) return;
  writer.update('Tasks', { ...task, Progress: Math.min(100, Math.round(percent * 100) / 100) });
}

function endJobIfDone(writer: AccountWriter, job: EntityRecord, now: number, events: StateEvents): void {
  const tasks = tasksOfJob(writer, job.Id as string);
  if (!tasks.every((t) => isFinal(t.State as number))) return;
  const state = tasks.some((t) => t.State === JobState.Error)
    ? JobState.Error
    : tasks.some((t) => t.State === JobState.Canceled)
      ? JobState.Canceled
      : JobState.Finished;
  const start = (job.StartTime as number | null) ?? now;
  const next = {
    ...job,
    State: state,
    EndTime: now,
    RunningDuration: (now - start) / 1000,
    LastModified: now,
  };
  writer.update('Jobs', next);
  events.push({ job: next, oldState: job.State as number, newState: state });
}

function finish(
  writer: AccountWriter,
  jobId: string,
  taskId: string,
  result: EncodeResult,
  now: number,
): StateEvents {
  const events: StateEvents = [];
  const job = writer.get('Jobs', jobId);
  const task = writer.get('Tasks', taskId);
  if (!job || !task) return events;
  const start = (task.StartTime as number | null) ?? now;
  const nextTask = {
    ...task,
    State: JobState.Finished,
    Progress: 100,
    EndTime: now,
    RunningDuration: (now - start) / 1000,
    PerfMessage: result.perfMessage,
  };
  writer.update('Tasks', nextTask);
  events.push({ job, task: nextTask, oldState: task.State as number, newState: JobState.Finished });
  endJobIfDone(writer, job, now, events);
  return events;
}

/** A task ends in Error or Canceled; the job's other unfinished tasks end with it. */
function fail(
  writer: AccountWriter,
  jobId: string,
  taskId: string,
  state: number,
  details: Array<{ Code: string; Message: string }>,
  now: number,
): StateEvents {
  const events: StateEvents = [];
  const job = writer.get('Jobs', jobId);
  if (!job) return events;
  for (const task of tasksOfJob(writer, jobId)) {
    if (isFinal(task.State as number)) continue;
    const own = task.Id === taskId;
    const next = {
      ...task,
      State: own ? state : JobState.Canceled,
      EndTime: now,
      ErrorDetails: own ? details : task.ErrorDetails,
      RunningDuration: task.StartTime ? (now - (task.StartTime as number)) / 1000 : 0,
    };
    writer.update('Tasks', next);
    events.push({ job, task: next, oldState: task.State as number, newState: next.State });
  }
  endJobIfDone(writer, writer.get('Jobs', jobId) ?? job, now, events);
  return events;
}

/**
 * After a restart: tasks that were Scheduled or Processing run again from the start; jobs that
 * were being canceled are Canceled (their encoder is gone).
 */
function requeueInterrupted(writer: AccountWriter, now: number): void {
  for (const job of writer.list('Jobs')) {
    const jobId = job.Id as string;
    if (job.State === JobState.Canceling) {
      for (const task of tasksOfJob(writer, jobId)) {
        if (!isFinal(task.State as number))
          writer.update('Tasks', { ...task, State: JobState.Canceled, EndTime: now });
      }
      writer.update('Jobs', { ...job, State: JobState.Canceled, EndTime: now, LastModified: now });
      continue;
    }
    if (job._pending === true) {
      // A change set that never completed cannot have committed; nothing to do.
      continue;
    }
    let interrupted = false;
    for (const task of tasksOfJob(writer, jobId)) {
      if (task.State === JobState.Scheduled || task.State === JobState.Processing) {
        writer.update('Tasks', { ...task, State: JobState.Queued, Progress: 0, StartTime: null });
        interrupted = true;
      }
    }
    if (interrupted || job.State === JobState.Scheduled || job.State === JobState.Processing) {
      writer.update('Jobs', { ...job, State: JobState.Queued, LastModified: now });
    }
  }
}
