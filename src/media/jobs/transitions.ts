import type { EncodeResult } from '../encoding/encoder.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import type { AccountWriter } from '../persistence/mediaEntities.js';
import { progressMilestone, withEvent, withState } from './history.js';
import { JobState, isFinal } from './states.js';

/**
 * The state changes of jobs and tasks, each a pure function over one unit of work's writer,
 * returning the events to publish once it commits; and which queued tasks may start.
 */

/** Progress below 100 while the task runs: 100 is written with Finished, in the same unit. */
export const MAX_RUNNING_PROGRESS = 99.9;

export const ACTIVE = new Set<number>([JobState.Queued, JobState.Scheduled, JobState.Processing]);

export type StateEvents = Array<{
  job: EntityRecord;
  task?: EntityRecord;
  oldState: number;
  newState: number;
}>;

export const tasksOfJob = (view: AccountView, jobId: string): EntityRecord[] =>
  view
    .list('Tasks')
    .filter((t) => t._jobId === jobId)
    .sort((a, b) => (a._order as number) - (b._order as number));

/** Tasks that can start now: their job is active and every task they read from has finished. */
export function runnableTasks(view: AccountView): Array<{ job: EntityRecord; task: EntityRecord }> {
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

export function claim(writer: AccountWriter, jobId: string, taskId: string, now: number) {
  const job = writer.get('Jobs', jobId);
  const task = writer.get('Tasks', taskId);
  if (!job || !task || task.State !== JobState.Queued || !ACTIVE.has(job.State as number)) return undefined;
  const events: StateEvents = [];
  const nextTask = withState(task, JobState.Scheduled, now);
  writer.update('Tasks', nextTask);
  events.push({ job, task: nextTask, oldState: task.State as number, newState: JobState.Scheduled });
  if (job.State === JobState.Queued) {
    const nextJob = { ...job, State: JobState.Scheduled, LastModified: now };
    writer.update('Jobs', nextJob);
    events.push({ job: nextJob, oldState: JobState.Queued, newState: JobState.Scheduled });
  }
  return { configuration: task.Configuration as string, events };
}

/** Scheduled → Processing; undefined when a cancel came in between (nothing is written then). */
export function startProcessing(
  writer: AccountWriter,
  jobId: string,
  taskId: string,
  now: number,
): StateEvents | undefined {
  const job = writer.get('Jobs', jobId);
  const task = writer.get('Tasks', taskId);
  if (!job || !task || task.State !== JobState.Scheduled || !ACTIVE.has(job.State as number))
    return undefined;
  const events: StateEvents = [];
  const nextTask = withState(task, JobState.Processing, now, { StartTime: now, Progress: 0 });
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

/**
 * Moves a Processing task's Progress forward, never back, never to 100, never out of Processing:
 * a progress write that arrives after the task ended (or while it is canceled) changes nothing.
 */
export function setProgress(writer: AccountWriter, taskId: string, percent: number, now: number): void {
  const task = writer.get('Tasks', taskId);
  const value = Math.min(MAX_RUNNING_PROGRESS, Math.round(percent * 100) / 100);
  const from = task?.Progress as number;
  if (!task || task.State !== JobState.Processing || from >= value) return;
  const next = { ...task, Progress: value };
  writer.update(
    'Tasks',
    progressMilestone(from, value)
      ? withEvent(next, { Code: 'Progress', Message: `${value}% encoded.`, TimeStamp: now })
      : next,
  );
}

export function endJobIfDone(
  writer: AccountWriter,
  job: EntityRecord,
  now: number,
  events: StateEvents,
): void {
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

export function finish(
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
  const nextTask = withState(task, JobState.Finished, now, {
    Progress: 100,
    EndTime: now,
    RunningDuration: (now - start) / 1000,
    PerfMessage: result.perfMessage,
  });
  writer.update('Tasks', nextTask);
  events.push({ job, task: nextTask, oldState: task.State as number, newState: JobState.Finished });
  endJobIfDone(writer, job, now, events);
  return events;
}

/** A task ends in Error or Canceled; the job's other unfinished tasks end Canceled with it. */
export function fail(
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
    const next = withState(
      task,
      own ? state : JobState.Canceled,
      now,
      {
        EndTime: now,
        ErrorDetails: own ? details : task.ErrorDetails,
        RunningDuration: task.StartTime ? (now - (task.StartTime as number)) / 1000 : 0,
      },
      own && details[0] ? details[0].Message : undefined,
    );
    writer.update('Tasks', next);
    events.push({ job, task: next, oldState: task.State as number, newState: next.State as number });
  }
  endJobIfDone(writer, writer.get('Jobs', jobId) ?? job, now, events);
  return events;
}

/** A Canceling job whose encoders are gone: its unfinished tasks and the job end Canceled. */
export function endCanceled(writer: AccountWriter, jobId: string, now: number): StateEvents {
  const events: StateEvents = [];
  const job = writer.get('Jobs', jobId);
  if (!job) return events;
  for (const task of tasksOfJob(writer, jobId)) {
    if (isFinal(task.State as number)) continue;
    const next = withState(task, JobState.Canceled, now, {
      EndTime: now,
      RunningDuration: task.StartTime ? (now - (task.StartTime as number)) / 1000 : 0,
    });
    writer.update('Tasks', next);
    events.push({ job, task: next, oldState: task.State as number, newState: JobState.Canceled });
  }
  const start = (job.StartTime as number | null) ?? now;
  const next = {
    ...job,
    State: JobState.Canceled,
    EndTime: now,
    RunningDuration: job.StartTime ? (now - start) / 1000 : 0,
    LastModified: now,
  };
  writer.update('Jobs', next);
  events.push({ job: next, oldState: job.State as number, newState: JobState.Canceled });
  return events;
}

/**
 * After a restart: tasks that were Scheduled or Processing run again from the start; jobs that
 * were being canceled are Canceled (their encoder is gone).
 */
export function requeueInterrupted(writer: AccountWriter, now: number): void {
  for (const job of writer.list('Jobs')) {
    const jobId = job.Id as string;
    if (job.State === JobState.Canceling) {
      endCanceled(writer, jobId, now);
      continue;
    }
    if (job._pending === true) {
      // A change set that never completed cannot have committed; nothing to do.
      continue;
    }
    let interrupted = false;
    for (const task of tasksOfJob(writer, jobId)) {
      if (task.State === JobState.Scheduled || task.State === JobState.Processing) {
        writer.update(
          'Tasks',
          withState(
            task,
            JobState.Queued,
            now,
            { Progress: 0, StartTime: null },
            'The server stopped while the task ran; it runs again from the start.',
          ),
        );
        interrupted = true;
      }
    }
    if (interrupted || job.State === JobState.Scheduled || job.State === JobState.Processing) {
      writer.update('Jobs', { ...job, State: JobState.Queued, LastModified: now });
    }
  }
}
