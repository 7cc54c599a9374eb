/** JobState and TaskState share their values. */
export const JobState = {
  Queued: 0,
  Scheduled: 1,
  Processing: 2,
  Finished: 3,
  Error: 4,
  Canceled: 5,
  Canceling: 6,
} as const;

export type JobStateValue = (typeof JobState)[keyof typeof JobState];

const FINAL = new Set<number>([JobState.Finished, JobState.Error, JobState.Canceled]);
export const isFinal = (state: number): boolean => FINAL.has(state);
