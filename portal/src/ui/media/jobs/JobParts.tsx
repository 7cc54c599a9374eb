import type { Asset, JobStateName, Task } from '../../../api/mediaServices.js';
import { formatPercent } from '../assets/format.js';

const STATE_CLASS: Partial<Record<JobStateName, string>> = {
  Finished: 'state-finished',
  Error: 'state-error',
  Queued: 'state-active',
  Scheduled: 'state-active',
  Processing: 'state-active',
  Canceling: 'state-active',
};

/** A job's or task's state as a word in a badge (the word carries it, the colour only repeats it). */
export function StateBadge({ state }: { state: JobStateName }) {
  return <span class={`state-badge ${STATE_CLASS[state] ?? ''}`}>{state}</span>;
}

/** A progress bar with its number beside it, named for screen readers. */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  return (
    <span class="job-progress">
      <progress max={100} value={value} aria-label={label} />
      <span class="cell-detail"> {formatPercent(value)}</span>
    </span>
  );
}

export const assetNames = (assets: Asset[]): string => assets.map((a) => a.name || a.id).join(', ');

/** A task's failure in the encoder's words (ErrorDetails), one line per detail. */
export function TaskErrors({ task }: { task: Task }) {
  if (task.errors.length === 0) return null;
  return (
    <div class="task-errors alert" role="alert" aria-label={`Errors of task ${task.name}`}>
      <ul>
        {task.errors.map((e, i) => (
          <li key={i}>
            {e.message || 'No message.'}
            {e.code && <span class="cell-detail"> ({e.code})</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
