import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Entity } from './jobsSupport.js';
import { Clips, FINAL, JobState, JobsClient, ffmpegChildren, time, workDirEntries } from './jobsSupport.js';
import type { MediaFixture } from './support.js';
import { expectODataError, mediaCaller, startMedia } from './support.js';

const codes = (task: Entity) => (task.HistoricalEvents as Array<{ Code: string }>).map((e) => e.Code);
const stateCodes = (task: Entity) => codes(task).filter((c) => c !== 'Progress');

describe('canceling and restarting encoding jobs', () => {
  let f: MediaFixture;
  let c: JobsClient;
  const clips = new Clips();
  let long: string;
  let short: string;

  before(async () => {
    [long, short] = await Promise.all([
      clips.make('Long.mp4', { seconds: 7 }),
      clips.make('Short.mp4', { seconds: 2 }),
    ]);
    f = await startMedia('cancelacct');
    const { token } = await mediaCaller(f, { displayName: 'canceler', role: 'Contributor' });
    c = new JobsClient(f, token);
  });
  after(async () => {
    await f?.t.stop();
    await clips.remove();
  });

  test('CancelJob stops a running encoder and ends a queued job at once; no output is left', async () => {
    const input = await c.upload(long, 'Long.mp4');
    const running = await c.start('running', input, 'H264 Multiple Bitrate 720p');
    await c.waitProgress(running.Id);
    // One reserved unit (the default): the second job waits behind the first.
    const queued = await c.start('queued', input, 'H264 Multiple Bitrate 720p');
    assert.equal((await c.job(queued.Id)).State, JobState.Queued);
    assert.equal((await c.job(running.Id)).State, JobState.Processing);
    const encoders = await ffmpegChildren();
    assert.equal(encoders.length, 1, 'one encoder runs');

    assert.equal((await c.cancel(queued.Id)).status, 204);
    const queuedJob = await c.job(queued.Id);
    assert.equal(queuedJob.State, JobState.Canceled, 'a queued job is Canceled at once');
    assert.ok(queuedJob.EndTime);
    const [queuedTask] = await c.tasks(queued.Id);
    assert.equal(queuedTask?.State, JobState.Canceled);
    assert.deepEqual(stateCodes(queuedTask), ['Queued', 'Canceled']);
    assert.deepEqual(await ffmpegChildren(), encoders, 'the running encoder was left alone');

    assert.equal((await c.cancel(running.Id)).status, 204);
    const seen: number[] = [];
    const { job, tasks } = await c.poll(running.Id, (j) => {
      if (seen.at(-1) !== j.State) seen.push(j.State as number);
      return FINAL.has(j.State as number);
    });
    assert.equal(job.State, JobState.Canceled);
    assert.ok(
      seen.every((s) => s === JobState.Canceling || s === JobState.Canceled),
      `after CancelJob: ${seen.join(',')}`,
    );
    const task = tasks[0]!;
    assert.equal(task.State, JobState.Canceled);
    assert.ok(Number(task.Progress) < 100);
    assert.deepEqual(stateCodes(task), ['Queued', 'Scheduled', 'Processing', 'Canceling', 'Canceled']);
    assert.ok(time(job.EndTime) >= time(job.StartTime));
    // The encoder is gone by the time the job is Canceled, and nothing else was started.
    assert.deepEqual(await ffmpegChildren(), []);
    const [output] = await c.outputs(running.Id);
    assert.deepEqual(await c.files(output!.Id), []);
    assert.equal((await c.blobs(output!.Id)).size, 0);
    assert.deepEqual(await workDirEntries(f), []);

    // Final jobs cannot be canceled again, nor can a Finished one.
    expectODataError(await c.cancel(running.Id), 400);
    expectODataError(await c.cancel(queued.Id), 400);
    const small = await c.upload(short, 'Short.mp4');
    const done = await c.start('done', small, 'H264 Single Bitrate Low Quality SD for Android');
    assert.equal((await c.waitFinal(done.Id)).job.State, JobState.Finished);
    assert.match(expectODataError(await c.cancel(done.Id), 400), /Finished/);
    expectODataError(await c.cancel('nb:jid:UUID:00000000-0000-0000-0000-000000000000'), 404);
  });

  test('a restart mid-encode runs the task again to Finished and leaves no scratch files', async () => {
    const input = await c.upload(long, 'Restart.mp4');
    const created = await c.start('restart', input, 'H264 Multiple Bitrate 720p');
    await c.waitProgress(created.Id);
    const encoders = await ffmpegChildren();
    assert.equal(encoders.length, 1);
    await f.t.restart();
    const survivors = (await ffmpegChildren()).filter((pid) => encoders.includes(pid));
    assert.deepEqual(survivors, [], 'the old server stopped its encoder');

    const seen: number[] = [];
    const { job, tasks } = await c.poll(created.Id, (j) => {
      if (seen.at(-1) !== j.State) seen.push(j.State as number);
      return FINAL.has(j.State as number);
    });
    assert.equal(job.State, JobState.Finished, JSON.stringify(tasks[0]?.ErrorDetails));
    const task = tasks[0]!;
    assert.equal(task.Progress, 100);
    assert.deepEqual(stateCodes(task), [
      'Queued',
      'Scheduled',
      'Processing',
      'Queued',
      'Scheduled',
      'Processing',
      'Finished',
    ]);
    const events = task.HistoricalEvents as Array<{ Code: string; Message: string; TimeStamp: string }>;
    const requeued = events.filter((e) => e.Code === 'Queued')[1];
    assert.match(requeued?.Message ?? '', /stopped while the task ran/);
    // StartTime is the second run's.
    assert.ok(time(task.StartTime) >= time(requeued?.TimeStamp));
    const [output] = await c.outputs(created.Id);
    const files = await c.files(output!.Id);
    const blobs = await c.blobs(output!.Id);
    assert.equal(files.length, 9, files.map((x) => x.Name).join(','));
    assert.deepEqual([...blobs.keys()].sort(), files.map((x) => x.Name as string).sort());
    for (const file of files) assert.equal(file.ContentFileSize, String(blobs.get(file.Name as string)));
    assert.deepEqual(await workDirEntries(f), []);
    assert.deepEqual(await ffmpegChildren(), []);
  });
});
