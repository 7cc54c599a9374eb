import type { AccountView } from '../persistence/accountView.js';
import type { AccountWriter } from '../persistence/mediaEntities.js';
import { withState } from './history.js';
import { JobState, isFinal } from './states.js';
import { ACTIVE, endCanceled, tasksOfJob } from './transitions.js';
import type { StateEvents } from './transitions.js';

/**
 * Work no node is doing: a task Scheduled or Processing whose lease has expired or is gone (its
 * node died, or stopped), and a Canceling job none of whose tasks a live lease names (the node
 * that would have ended it is gone, or none of its tasks had started).
 */
export interface Orphans {
  tasks: Array<{ jobId: string; taskId: string }>;
  canceledJobs: string[];
}

const started = (state: unknown) => state === JobState.Scheduled || state === JobState.Processing;

/** `live`: the ids of the account's tasks with a live lease. */
export function findOrphans(view: AccountView, live: ReadonlySet<string>): Orphans {
  const orphans: Orphans = { tasks: [], canceledJobs: [] };
  for (const job of view.list('Jobs')) {
    // A change set that never completed cannot have committed: nothing runs it.
    if (job._pending === true) continue;
    const jobId = job.Id as string;
    const tasks = tasksOfJob(view, jobId);
    if (job.State === JobState.Canceling) {
      if (!tasks.some((t) => live.has(t.Id as string))) orphans.canceledJobs.push(jobId);
    } else if (ACTIVE.has(job.State as number)) {
      for (const task of tasks) {
        if (started(task.State) && !live.has(task.Id as string)) {
          orphans.tasks.push({ jobId, taskId: task.Id as string });
        }
      }
    }
  }
  return orphans;
}

export const hasOrphans = (orphans: Orphans): boolean =>
  orphans.tasks.length > 0 || orphans.canceledJobs.length > 0;

/**
 * In one unit: orphaned tasks go back to the queue, to run again from the start (on whichever
 * node claims them next), and orphaned cancels end Canceled. Returns the events to publish and
 * the tasks whose leases the unit must find expired (or gone) when it commits.
 */
export function recoverOrphans(
  writer: AccountWriter,
  orphans: Orphans,
  now: number,
): { events: StateEvents; taskIds: string[] } {
  const events: StateEvents = [];
  const taskIds: string[] = [];
  for (const jobId of orphans.canceledJobs) {
    taskIds.push(
      ...tasksOfJob(writer, jobId)
        .filter((t) => !isFinal(t.State as number))
        .map((t) => t.Id as string),
    );
    events.push(...endCanceled(writer, jobId, now));
  }
  for (const { jobId, taskId } of orphans.tasks) {
    const task = writer.get('Tasks', taskId);
    if (!task) continue;
    taskIds.push(taskId);
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
    const job = writer.get('Jobs', jobId);
    if (job && started(job.State) && !tasksOfJob(writer, jobId).some((t) => started(t.State))) {
      writer.update('Jobs', { ...job, State: JobState.Queued, LastModified: now });
    }
  }
  return { events, taskIds };
}
