import { useEffect, useRef } from 'preact/hooks';
import { formatPercent, formatTime } from '../assets/format.js';
import { StateBadge, TaskErrors, assetNames } from './JobParts.js';
import type { JobView } from './useJobs.js';

/** A preset name as it is; an inline XML or JSON preset by its first line, which is all that fits. */
const presetOf = (configuration: string): string => {
  const trimmed = configuration.trim();
  if (!trimmed.startsWith('<') && !trimmed.startsWith('{')) return trimmed;
  return `Custom preset (${trimmed.length.toLocaleString()} characters)`;
};

/** One job in full: its assets, times and every task with its state, progress and errors. */
export function JobDetails({ job, onClose }: { job: JobView; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [job.id]);
  return (
    <section class="panel" aria-labelledby="job-heading">
      <div class="panel-head">
        <h2 id="job-heading" ref={heading} tabIndex={-1}>
          Job {job.name || job.id}
        </h2>
        <button type="button" class="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl class="job-facts">
        <dt>State</dt>
        <dd>
          <StateBadge state={job.state} />
        </dd>
        <dt>Id</dt>
        <dd>
          <code>{job.id}</code>
        </dd>
        <dt>Input</dt>
        <dd>{assetNames(job.inputs) || 'None'}</dd>
        <dt>Output</dt>
        <dd>{assetNames(job.outputs) || 'None yet'}</dd>
        <dt>Created</dt>
        <dd>{formatTime(job.created)}</dd>
        <dt>Started</dt>
        <dd>{formatTime(job.startTime) || 'Not yet'}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(job.endTime) || 'Not yet'}</dd>
      </dl>
      <h3>Tasks</h3>
      <ol class="tasks">
        {job.tasks.map((task) => (
          <li key={task.id} class="task">
            <div class="task-head">
              <strong>{task.name || task.id}</strong>
              <StateBadge state={task.state} />
            </div>
            <p class="cell-detail">Preset: {presetOf(task.configuration)}</p>
            <div class="task-progress">
              <label for={`progress-${task.id}`}>
                Progress of task {task.name}: {formatPercent(task.progress)}
              </label>
              <progress id={`progress-${task.id}`} max={100} value={task.progress} />
            </div>
            <TaskErrors task={task} />
          </li>
        ))}
      </ol>
    </section>
  );
}
