import { useState } from 'preact/hooks';
import type { JobStateName } from '../../api/mediaServices.js';
import { JOB_STATES, cancelJob } from '../../api/mediaServices.js';
import { announce } from '../announcer.js';
import { Alert, messageOf } from '../components/Alert.js';
import { AppLink } from '../components/AppLink.js';
import { DataTable } from '../components/DataTable.js';
import { EmptyState } from '../components/EmptyState.js';
import { Field } from '../components/Field.js';
import { RefreshIcon } from '../icons.js';
import { mediaHref } from '../router.js';
import { formatPercent, formatTime, timeValue } from './assets/format.js';
import { JobDetails } from './jobs/JobDetails.js';
import { ProgressBar, StateBadge, TaskErrors, assetNames } from './jobs/JobParts.js';
import type { JobView } from './jobs/useJobs.js';
import { isActive, useJobs } from './jobs/useJobs.js';
import './assets/media.css';

type StateFilter = 'all' | 'active' | JobStateName;

const matches = (filter: StateFilter, job: JobView): boolean =>
  filter === 'all' || (filter === 'active' ? isActive(job) : job.state === filter);

/**
 * The encoding jobs dashboard: every job with the live state and progress of each of its tasks
 * (polled every 2 s while any job runs), the errors of failed tasks, cancel, and filters.
 */
export function JobsTab({ account }: { account: string }) {
  const [filter, setFilter] = useState<StateFilter>('all');
  const [openId, setOpenId] = useState<string | undefined>(undefined);
  const [cancelError, setCancelError] = useState<string | undefined>(undefined);
  const [canceling, setCanceling] = useState<string | undefined>(undefined);
  const { jobs, refresh } = useJobs(account, (job) =>
    announce(`Job ${job.name} ${job.state.toLowerCase()}.`),
  );
  const list = jobs.state === 'ready' ? jobs.jobs : [];
  const shown = list.filter((job) => matches(filter, job));
  const open = list.find((job) => job.id === openId);

  const cancel = async (job: JobView) => {
    setCancelError(undefined);
    setCanceling(job.id);
    try {
      await cancelJob(account, job.id);
      announce(`Canceling job ${job.name}.`);
      await refresh();
    } catch (error) {
      setCancelError(messageOf(error));
    } finally {
      setCanceling(undefined);
    }
  };

  return (
    <>
      <section class="panel" aria-labelledby="jobs-heading">
        <div class="panel-head">
          <h2 id="jobs-heading">Encoding jobs</h2>
          <button type="button" class="button" onClick={() => void refresh()}>
            <RefreshIcon />
            Refresh
          </button>
        </div>
        <p class="panel-description">
          Media Encoder Standard jobs of this account. States and progress update every 2 seconds while a job
          is queued or running.
        </p>
        {jobs.state === 'ready' && (
          <p class="poll-status">
            {jobs.polling
              ? 'Updating every 2 seconds while jobs run.'
              : 'No job is running: the list updates when you refresh it.'}{' '}
            Last updated {jobs.updated.toLocaleTimeString()}.
          </p>
        )}
        {jobs.state === 'ready' && jobs.error && <Alert>The last update failed: {jobs.error}</Alert>}
        {cancelError && <Alert>{cancelError}</Alert>}
        {jobs.state === 'loading' && (
          <p class="loading" aria-busy="true">
            Loading…
          </p>
        )}
        {jobs.state === 'failed' && <Alert>{jobs.message}</Alert>}
        {jobs.state === 'ready' && list.length === 0 && (
          <EmptyState title="No encoding jobs yet">
            Open <AppLink href={mediaHref(account, 'assets')}>Assets</AppLink>, upload a video and choose
            Encode: the job appears here with its progress.
          </EmptyState>
        )}
        {list.length > 0 && (
          <>
            <div class="filters state-filter">
              <Field label="State" hint="Show the jobs in one state.">
                {(ids) => (
                  <select
                    {...ids}
                    value={filter}
                    onChange={(e) => setFilter(e.currentTarget.value as StateFilter)}
                  >
                    <option value="all">All states ({list.length})</option>
                    <option value="active">Queued or running ({list.filter(isActive).length})</option>
                    {JOB_STATES.map((s) => (
                      <option key={s} value={s}>
                        {s} ({list.filter((j) => j.state === s).length})
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            {shown.length === 0 ? (
              <p class="hint" role="status">
                No job is {filter === 'active' ? 'queued or running' : filter.toLowerCase()}. Choose All
                states to see all {list.length}.
              </p>
            ) : (
              <DataTable<JobView>
                caption="Encoding jobs"
                what="jobs"
                items={shown}
                keyOf={(j) => j.id}
                selectedKey={openId}
                textOf={(j) =>
                  `${j.name} ${j.state} ${assetNames(j.inputs)} ${assetNames(j.outputs)} ${j.id}`
                }
                filterLabel="Filter jobs"
                filterHint="By name, state or asset."
                initialSort={{ column: 'Created', descending: true }}
                columns={[
                  { header: 'Name', cell: (j) => j.name || j.id, sortValue: (j) => j.name },
                  { header: 'State', cell: (j) => <StateBadge state={j.state} />, sortValue: (j) => j.state },
                  {
                    header: 'Progress',
                    cell: (j) => <ProgressBar value={j.progress} label={`Progress of job ${j.name}`} />,
                    sortValue: (j) => j.progress,
                  },
                  {
                    header: 'Tasks',
                    secondary: true,
                    cell: (j) => (
                      <ul class="task-lines">
                        {j.tasks.map((t) => (
                          <li key={t.id}>
                            {t.name}: {t.state} {formatPercent(t.progress)}
                            <TaskErrors task={t} />
                          </li>
                        ))}
                      </ul>
                    ),
                  },
                  {
                    header: 'Created',
                    cell: (j) => formatTime(j.created),
                    sortValue: (j) => timeValue(j.created),
                    secondary: true,
                  },
                  {
                    header: 'Input',
                    cell: (j) => assetNames(j.inputs),
                    sortValue: (j) => assetNames(j.inputs),
                    secondary: true,
                  },
                  {
                    header: 'Output',
                    cell: (j) => assetNames(j.outputs),
                    sortValue: (j) => assetNames(j.outputs),
                    secondary: true,
                  },
                ]}
                actions={(j) => (
                  <div class="row-actions">
                    <button
                      type="button"
                      class="button"
                      aria-label={`Details of job ${j.name}`}
                      aria-pressed={j.id === openId}
                      onClick={() => setOpenId(j.id === openId ? undefined : j.id)}
                    >
                      Details
                    </button>
                    {isActive(j) && j.state !== 'Canceling' && (
                      <button
                        type="button"
                        class="button danger"
                        aria-label={`Cancel job ${j.name}`}
                        disabled={canceling === j.id}
                        onClick={() => void cancel(j)}
                      >
                        {canceling === j.id ? 'Canceling…' : 'Cancel'}
                      </button>
                    )}
                  </div>
                )}
              />
            )}
          </>
        )}
      </section>
      {open && <JobDetails key={open.id} job={open} onClose={() => setOpenId(undefined)} />}
    </>
  );
}
