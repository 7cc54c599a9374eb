import { mediaErrors } from '../errors.js';
import { newId } from '../ids.js';
import { checkPreset } from '../jobs/presetCheck.js';
import { withState } from '../jobs/history.js';
import { JobState, isFinal } from '../jobs/states.js';
import { parseTaskBody } from '../jobs/taskBody.js';
import type { ParsedTaskBody } from '../jobs/taskBody.js';
import type { EntityRecord } from '../odata/edm.js';
import { newAsset } from './assets.js';
import { isRunnableProcessor, processorById } from './mediaProcessors.js';
import type { EntitySetRules, RuleContext } from './rules.js';
import { enumValue, merged, optionalNumber, optionalString, requiredString } from './values.js';
import type { Values } from './values.js';

/** Azure's limit of tasks in one job. */
const MAX_TASKS = 30;
/** JobNotificationSubscription.TargetJobState: FinalStatesOnly 1, All 2. */
const TARGET_STATES = [0, 1, 2];

const tasksOf = (ctx: RuleContext, jobId: string): EntityRecord[] =>
  ctx.writer
    .list('Tasks')
    .filter((t) => t._jobId === jobId)
    .sort((a, b) => (a._order as number) - (b._order as number));

function subscriptions(ctx: RuleContext, value: unknown, property: string): EntityRecord[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw mediaErrors.invalidProperty(property, 'a collection is expected.');
  return value.map((item: Values) => {
    const endpointId = requiredString(item, 'NotificationEndPointId', 128);
    if (!ctx.writer.get('NotificationEndPoints', endpointId)) {
      throw mediaErrors.badRequest(`The notification endpoint '${endpointId}' does not exist.`);
    }
    return {
      NotificationEndPointId: endpointId,
      TargetJobState: enumValue(item, 'TargetJobState', TARGET_STATES, 2),
    };
  });
}

/** TaskNotificationSubscription: where a task's state changes (and, if asked, progress) go. */
function taskSubscriptions(ctx: RuleContext, value: unknown): EntityRecord[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw mediaErrors.invalidProperty('TaskNotificationSubscriptions', 'a collection is expected.');
  return value.map((item: Values) => {
    const endpointId = requiredString(item, 'NotificationEndPointId', 128);
    if (!ctx.writer.get('NotificationEndPoints', endpointId)) {
      throw mediaErrors.badRequest(`The notification endpoint '${endpointId}' does not exist.`);
    }
    return {
      IncludeTaskProgress: item.IncludeTaskProgress === true,
      NotificationEndPointId: endpointId,
      TargetTaskState: enumValue(item, 'TargetTaskState', TARGET_STATES, 2),
    };
  });
}

/** A task as submitted; what it reads and writes is resolved when its job is complete. */
export function addTask(ctx: RuleContext, job: EntityRecord, values: Values): EntityRecord {
  const jobId = job.Id as string;
  if (job._pending !== true) {
    throw mediaErrors.badRequest('Tasks can be added to a job only while it is being submitted.');
  }
  const processorId = requiredString(values, 'MediaProcessorId', 128);
  const processor = processorById(processorId);
  if (!processor) throw mediaErrors.badRequest(`The media processor '${processorId}' does not exist.`);
  if (!isRunnableProcessor(processorId)) {
    throw mediaErrors.badRequest(
      `The media processor '${String(processor.Name)}' is not available in this deployment; use Media Encoder Standard.`,
    );
  }
  const configuration = optionalString(values, 'Configuration', 1024 * 1024) ?? '';
  checkPreset(configuration);
  const taskBody = requiredString(values, 'TaskBody', 64 * 1024);
  parseTaskBody(taskBody);
  const order = tasksOf(ctx, jobId).length;
  if (order >= MAX_TASKS) throw mediaErrors.badRequest(`A job may have at most ${MAX_TASKS} tasks.`);
  const task: EntityRecord = {
    Id: newId('tid'),
    Configuration: configuration,
    EndTime: null,
    ErrorDetails: [],
    HistoricalEvents: [],
    MediaProcessorId: processorId,
    Name: optionalString(values, 'Name', 256) ?? '',
    PerfMessage: null,
    Priority: optionalNumber(values, 'Priority') ?? 0,
    Progress: 0,
    RunningDuration: 0,
    StartTime: null,
    State: JobState.Queued,
    TaskBody: taskBody,
    Options: enumValue(values, 'Options', [0, 1], 0),
    EncryptionKeyId: optionalString(values, 'EncryptionKeyId', 128) ?? null,
    EncryptionScheme: optionalString(values, 'EncryptionScheme', 128) ?? null,
    EncryptionVersion: optionalString(values, 'EncryptionVersion', 64) ?? null,
    InitializationVector: optionalString(values, 'InitializationVector', 128) ?? null,
    TaskNotificationSubscriptions: taskSubscriptions(ctx, values.TaskNotificationSubscriptions),
    _jobId: jobId,
    _order: order,
  };
  ctx.writer.insert('Tasks', task);
  return task;
}

/** The tasks in an order where each runs after the tasks whose outputs it reads, or an error. */
function checkOrder(bodies: ReadonlyArray<{ task: EntityRecord; body: ParsedTaskBody }>): void {
  const producer = new Map<number, number>();
  bodies.forEach(({ body }, i) => {
    for (const out of body.outputs) {
      if (producer.has(out.index)) {
        throw mediaErrors.badRequest(`JobOutputAsset(${out.index}) is the output of more than one task.`);
      }
      producer.set(out.index, i);
    }
  });
  const state = new Array<number>(bodies.length).fill(0); // 0 new, 1 visiting, 2 done
  const visit = (i: number): void => {
    if (state[i] === 2) return;
    if (state[i] === 1) throw mediaErrors.badRequest('The tasks of the job depend on each other in a cycle.');
    state[i] = 1;
    for (const input of bodies[i]?.body.inputs ?? []) {
      if (input.kind !== 'jobOutput') continue;
      const from = producer.get(input.index);
      if (from === undefined) {
        throw mediaErrors.badRequest(
          `JobOutputAsset(${input.index}) is read by a task but no task writes it.`,
        );
      }
      visit(from);
    }
    state[i] = 2;
  };
  bodies.forEach((_, i) => visit(i));
}

/**
 * A submitted job made whole: every task's inputs resolved, its output assets created and
 * linked, the job queued. Runs at once for a plain POST, and at the end of a change set, where
 * tasks and input links arrive as parts of their own.
 */
export function completeJob(ctx: RuleContext, jobId: string): void {
  const job = ctx.writer.get('Jobs', jobId);
  if (!job) return;
  const tasks = tasksOf(ctx, jobId);
  if (tasks.length === 0) throw mediaErrors.badRequest('A job must have at least one task.');
  const inputs = ctx.writer.targets('Jobs', jobId, 'InputMediaAssets').map((l) => l.targetId);
  const bodies = tasks.map((task) => ({ task, body: parseTaskBody(task.TaskBody as string) }));
  checkOrder(bodies);
  const outputs = new Map<number, string>();
  const jobName = (job.Name as string) || jobId;
  for (const { task, body } of bodies) {
    for (const out of [...body.outputs].sort((a, b) => a.index - b.index)) {
      const asset = newAsset(ctx, {
        name: out.assetName ?? `JobOutputAsset(${out.index})_${jobName}`,
        options: out.assetCreationOptions,
        formatOption: out.assetFormatOption,
      });
      outputs.set(out.index, asset.Id as string);
      link(ctx, 'Tasks', task.Id as string, 'OutputMediaAssets', asset.Id as string);
    }
  }
  for (const index of [...outputs.keys()].sort((a, b) => a - b)) {
    link(ctx, 'Jobs', jobId, 'OutputMediaAssets', outputs.get(index) ?? '');
  }
  for (const { task, body } of bodies) {
    for (const input of body.inputs) {
      const assetId = input.kind === 'jobInput' ? inputs[input.index] : outputs.get(input.index);
      if (assetId === undefined) {
        throw mediaErrors.badRequest(
          `JobInputAsset(${input.index}) is read by a task but the job has ${inputs.length} input assets.`,
        );
      }
      link(ctx, 'Tasks', task.Id as string, 'InputMediaAssets', assetId);
    }
  }
  for (const { task } of bodies) ctx.writer.update('Tasks', withState(task, JobState.Queued, ctx.now));
  const { _pending: _, ...queued } = job;
  ctx.writer.update('Jobs', { ...queued, LastModified: ctx.now });
  const account = ctx.account.name;
  ctx.afterCommit(() => ctx.services.jobs.wake(account));
}

function link(
  ctx: RuleContext,
  sourceSet: string,
  sourceId: string,
  navigation: string,
  assetId: string,
): void {
  ctx.writer.link({ sourceSet, sourceId, navigation, targetSet: 'Assets', targetId: assetId });
}

/** Binds a job's input asset (the body's binds, or a `$links` part of a change set). */
export function addJobInput(ctx: RuleContext, job: EntityRecord, assetId: string): void {
  if (job._pending !== true)
    throw mediaErrors.badRequest('The input assets of a submitted job cannot change.');
  if (!ctx.writer.get('Assets', assetId))
    throw mediaErrors.badRequest(`The asset '${assetId}' does not exist.`);
  link(ctx, 'Jobs', job.Id as string, 'InputMediaAssets', assetId);
}

export const jobs: EntitySetRules = {
  set: 'Jobs',
  navigations: {
    Tasks: { kind: 'foreignKey', set: 'Tasks', property: '_jobId' },
    InputMediaAssets: { kind: 'link', set: 'Assets', writable: true },
    OutputMediaAssets: { kind: 'link', set: 'Assets', writable: false },
  },
  create(ctx, body) {
    const values = body.values;
    if (optionalString(values, 'TemplateId', 128)) {
      throw mediaErrors.badRequest(
        'Submitting a job from a job template is not supported; submit its tasks.',
      );
    }
    const job: EntityRecord = {
      Id: newId('jid'),
      Name: optionalString(values, 'Name', 256) ?? '',
      Created: ctx.now,
      LastModified: ctx.now,
      EndTime: null,
      Priority: optionalNumber(values, 'Priority') ?? 0,
      RunningDuration: 0,
      StartTime: null,
      State: JobState.Queued,
      TemplateId: null,
      JobNotificationSubscriptions: subscriptions(
        ctx,
        values.JobNotificationSubscriptions,
        'JobNotificationSubscriptions',
      ),
      _pending: true,
    };
    ctx.writer.insert('Jobs', job);
    for (const url of body.binds.InputMediaAssets ?? []) {
      const target = ctx.bind(url);
      if (target.set !== 'Assets') throw mediaErrors.badRequest(`'${url}' does not name an asset.`);
      addJobInput(ctx, job, target.key);
    }
    for (const task of body.nested.Tasks ?? []) addTask(ctx, job, task);
    const jobId = job.Id as string;
    if (ctx.inChangeSet) ctx.beforeCommit(() => completeJob(ctx, jobId));
    else completeJob(ctx, jobId);
    return job;
  },
  update(ctx, existing, body, replace) {
    const priority = optionalNumber(body.values, 'Priority');
    if (priority !== undefined && priority !== existing.Priority && existing.State !== JobState.Queued) {
      throw mediaErrors.badRequest('The priority of a job can change only while it is queued.');
    }
    return merged(
      existing,
      body.values,
      {
        Name: (v) => optionalString(v, 'Name', 256) ?? '',
        Priority: (v) => optionalNumber(v, 'Priority') ?? 0,
      },
      replace,
      ctx.now,
    );
  },
  remove(ctx, existing) {
    if (!isFinal(existing.State as number)) {
      throw mediaErrors.badRequest(
        `The job '${String(existing.Id)}' has not finished; cancel it (CancelJob) before deleting it.`,
      );
    }
    removeJob(ctx, existing);
  },
};

/** The job and its tasks; their output assets stay, as Azure kept them. */
function removeJob(ctx: RuleContext, job: EntityRecord): void {
  const jobId = job.Id as string;
  for (const task of tasksOf(ctx, jobId)) {
    for (const nav of ['InputMediaAssets', 'OutputMediaAssets']) {
      for (const l of ctx.writer.targets('Tasks', task.Id as string, nav)) ctx.writer.unlink(l);
    }
    ctx.writer.remove('Tasks', task.Id as string);
  }
  for (const nav of ['InputMediaAssets', 'OutputMediaAssets']) {
    for (const l of ctx.writer.targets('Jobs', jobId, nav)) ctx.writer.unlink(l);
  }
  ctx.writer.remove('Jobs', jobId);
}

/**
 * `CancelJob?jobid='…'`: tasks that have not started end Canceled at once; tasks that run go
 * Canceling, and end Canceled once their encoder has stopped (jobs/runner.ts). The job is
 * Canceling while any of its tasks is, else Canceled at once.
 */
export function cancelJob(ctx: RuleContext, jobId: string): void {
  const job = ctx.writer.get('Jobs', jobId);
  if (!job) throw mediaErrors.entityNotFound('Jobs', jobId);
  const state = job.State as number;
  if (isFinal(state) || state === JobState.Canceling) {
    throw mediaErrors.badRequest(`The job '${jobId}' cannot be canceled: it is already ${stateName(state)}.`);
  }
  const now = ctx.now;
  const events: Array<{ job: EntityRecord; task?: EntityRecord; oldState: number; newState: number }> = [];
  let running = false;
  for (const task of tasksOf(ctx, jobId)) {
    const taskState = task.State as number;
    if (isFinal(taskState)) continue;
    const started = taskState === JobState.Scheduled || taskState === JobState.Processing;
    running ||= started;
    const next = withState(
      task,
      started ? JobState.Canceling : JobState.Canceled,
      now,
      started ? {} : { EndTime: now },
      'CancelJob was called.',
    );
    ctx.writer.update('Tasks', next);
    events.push({ job, task: next, oldState: taskState, newState: next.State as number });
  }
  const nextState = running ? JobState.Canceling : JobState.Canceled;
  const start = job.StartTime as number | null;
  const canceled = {
    ...job,
    State: nextState,
    LastModified: now,
    ...(running ? {} : { EndTime: now, RunningDuration: start ? (now - start) / 1000 : 0 }),
  };
  ctx.writer.update('Jobs', canceled);
  events.push({ job: canceled, oldState: state, newState: nextState });
  const { account: mediaAccount, writer } = ctx;
  ctx.afterCommit(() => {
    for (const event of events) ctx.services.events.publish(writer, { account: mediaAccount, ...event });
  });
  const account = ctx.account.name;
  ctx.afterCommit(() => ctx.services.jobs.cancel(account, jobId));
}

const stateName = (state: number): string =>
  Object.entries(JobState).find(([, value]) => value === state)?.[0] ?? String(state);

export const tasks: EntitySetRules = {
  set: 'Tasks',
  navigations: {
    InputMediaAssets: { kind: 'link', set: 'Assets', writable: false },
    OutputMediaAssets: { kind: 'link', set: 'Assets', writable: false },
  },
};
