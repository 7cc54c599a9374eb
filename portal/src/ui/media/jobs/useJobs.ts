import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Asset, Job, Task } from '../../../api/mediaServices.js';
import { ACTIVE_STATES, listJobAssets, listJobTasks, listJobs } from '../../../api/mediaServices.js';
import { messageOf } from '../../components/Alert.js';

/** A job with its tasks and its input and output assets, as the dashboard shows it. */
export interface JobView extends Job {
  tasks: Task[];
  inputs: Asset[];
  outputs: Asset[];
  /** The mean of its tasks' progress, 0–100. */
  progress: number;
}

export type JobsState =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; jobs: JobView[]; updated: Date; polling: boolean; error?: string };

/** How often the dashboard asks again while a job can still move. */
export const POLL_MS = 2000;

export const isActive = (job: Job): boolean => ACTIVE_STATES.has(job.state);

const meanProgress = (tasks: Task[]): number =>
  tasks.length === 0
    ? 0
    : tasks.reduce((sum, t) => sum + (t.state === 'Finished' ? 100 : t.progress), 0) / tasks.length;

/**
 * The account's jobs, polled every 2 s while any is queued, scheduled, processing or canceling,
 * and not at all while none is or while the page is hidden (it catches up when shown again).
 * A poll asks for the list of jobs and for the tasks of the jobs that can still change; a job's
 * tasks are asked once more after it ends, and its assets once, since they never change.
 * `onSettled` hears each job that reached a final state during a poll.
 */
export function useJobs(account: string, onSettled?: (job: JobView) => void) {
  const [state, setState] = useState<JobsState>({ state: 'loading' });
  const known = useRef(new Map<string, JobView>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const running = useRef(false);
  const settled = useRef(onSettled);
  settled.current = onSettled;
  const alive = useRef(true);

  const refresh = useCallback(async (): Promise<void> => {
    if (running.current) return;
    running.current = true;
    clearTimeout(timer.current);
    timer.current = undefined;
    let anyActive = false;
    try {
      const jobs = await listJobs(account);
      const views = await Promise.all(
        jobs.map(async (job): Promise<JobView> => {
          const previous = known.current.get(job.id);
          // Tasks change only while the job does: a job that was final and still is keeps them.
          const fresh = !previous || isActive(previous) || previous.state !== job.state;
          const [tasks, inputs, outputs] = await Promise.all([
            fresh ? listJobTasks(account, job.id) : previous.tasks,
            previous ? previous.inputs : listJobAssets(account, job.id, 'InputMediaAssets'),
            previous ? previous.outputs : listJobAssets(account, job.id, 'OutputMediaAssets'),
          ]);
          return { ...job, tasks, inputs, outputs, progress: meanProgress(tasks) };
        }),
      );
      if (!alive.current) return;
      for (const view of views) {
        const previous = known.current.get(view.id);
        if (previous && isActive(previous) && !isActive(view)) settled.current?.(view);
      }
      known.current = new Map(views.map((v) => [v.id, v]));
      anyActive = views.some(isActive);
      setState({ state: 'ready', jobs: views, updated: new Date(), polling: anyActive });
    } catch (error) {
      if (!alive.current) return;
      const message = messageOf(error);
      // A poll that fails keeps what was shown and says why; polling goes on while jobs may move.
      anyActive = [...known.current.values()].some(isActive);
      setState((previous) =>
        previous.state === 'ready'
          ? { ...previous, polling: anyActive, error: message }
          : { state: 'failed', message },
      );
    } finally {
      running.current = false;
    }
    if (alive.current && anyActive && document.visibilityState === 'visible') {
      timer.current = setTimeout(() => void refresh(), POLL_MS);
    }
  }, [account]);

  useEffect(() => {
    alive.current = true;
    known.current = new Map();
    setState({ state: 'loading' });
    void refresh();
    const onVisibility = () => {
      if (document.visibilityState === 'visible') void refresh();
      else {
        clearTimeout(timer.current);
        timer.current = undefined;
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      alive.current = false;
      clearTimeout(timer.current);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [refresh]);

  return { jobs: state, refresh };
}
