import type { EntityRecord } from '../odata/edm.js';
import { JobState } from './states.js';

/** One entry of a Task's `HistoricalEvents` (TaskHistoricalEvent: Code, Message, TimeStamp). */
export interface TaskHistoricalEvent {
  Code: string;
  Message: string;
  TimeStamp: number;
}

/** The most a task keeps; the oldest go first (a task requeued many times would grow without end). */
const MAX_EVENTS = 64;

const STATE_CODES: Readonly<Record<number, string>> = {
  [JobState.Queued]: 'Queued',
  [JobState.Scheduled]: 'Scheduled',
  [JobState.Processing]: 'Processing',
  [JobState.Finished]: 'Finished',
  [JobState.Error]: 'Error',
  [JobState.Canceled]: 'Canceled',
  [JobState.Canceling]: 'Canceling',
};

const STATE_MESSAGES: Readonly<Record<number, string>> = {
  [JobState.Queued]: 'The task is waiting for an encoding reserved unit.',
  [JobState.Scheduled]: 'The task was given an encoding reserved unit.',
  [JobState.Processing]: 'Media Encoder Standard started encoding.',
  [JobState.Finished]: 'The task finished; its output files are in the output asset.',
  [JobState.Error]: 'The task failed; see ErrorDetails.',
  [JobState.Canceled]: 'The task was canceled.',
  [JobState.Canceling]: 'The task is being canceled.',
};

/** The task with one more event, in the order they happened. */
export function withEvent(task: EntityRecord, event: TaskHistoricalEvent): EntityRecord {
  const previous = Array.isArray(task.HistoricalEvents)
    ? (task.HistoricalEvents as TaskHistoricalEvent[])
    : [];
  return { ...task, HistoricalEvents: [...previous, event].slice(-MAX_EVENTS) };
}

/** The task in `state`, with the event that tells it (`message` overrides the usual words). */
export function withState(
  task: EntityRecord,
  state: number,
  now: number,
  changes: EntityRecord = {},
  message?: string,
): EntityRecord {
  return withEvent(
    { ...task, ...changes, State: state },
    {
      Code: STATE_CODES[state] ?? String(state),
      Message: message ?? STATE_MESSAGES[state] ?? '',
      TimeStamp: now,
    },
  );
}

/**
 * Whether a progress write from `from` to `to` is worth an event: the first progress of a run,
 * then each quarter passed. Every write would make the history as long as the encode.
 */
export const progressMilestone = (from: number, to: number): boolean =>
  to > from && to < 100 && (from === 0 || Math.floor(to / 25) > Math.floor(from / 25));
