import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Entity } from './jobsSupport.js';
import { Clips, FINAL, JobState, JobsClient, taskBody, time } from './jobsSupport.js';
import type { MediaFixture } from './support.js';
import { expectODataError, media, mediaCaller, startMedia } from './support.js';

/** The run of a job's first task: [StartTime, EndTime] in ms. */
async function span(c: JobsClient, jobId: string): Promise<[number, number]> {
  const [task] = await c.tasks(jobId);
  assert.equal(task?.State, JobState.Finished, JSON.stringify(task?.ErrorDetails));
  return [time(task.StartTime), time(task.EndTime)];
}

const overlap = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];

describe('the encoding queue: reserved units and priority', () => {
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
    f = await startMedia('queueacct');
    const { token } = await mediaCaller(f, { displayName: 'queuer', role: 'Contributor' });
    c = new JobsClient(f, token);
  });
  after(async () => {
    await f?.t.stop();
    await clips.remove();
  });

  test('without reserved units one task runs at a time, highest priority first', async () => {
    const units = await media<{ value: Entity[] }>(f, c.token, 'GET', 'EncodingReservedUnitTypes');
    assert.equal(units.json.value[0]?.CurrentReservedUnits, 0);
    const input = await c.upload(short, 'Short.mp4');
    const first = await c.start('first', input, 'H264 Multiple Bitrate 720p');
    await c.waitState(first.Id, JobState.Processing);
    const low = await c.start('low', input, 'H264 Single Bitrate Low Quality SD for Android', 0);
    const high = await c.start('high', input, 'H264 Single Bitrate Low Quality SD for Android', 10);
    assert.equal((await c.job(low.Id)).State, JobState.Queued);
    assert.equal((await c.job(high.Id)).State, JobState.Queued);
    for (const job of [first, low, high])
      assert.equal((await c.waitFinal(job.Id)).job.State, JobState.Finished);
    const [a, l, h] = [await span(c, first.Id), await span(c, low.Id), await span(c, high.Id)];
    assert.ok(a[1] <= h[0], 'the high-priority job started after the first ended');
    assert.ok(h[1] <= l[0], 'the low-priority job, submitted first, ran last');
  });

  test('EncodingReservedUnitTypes is addressed by its AccountId guid; raising the units starts queued tasks at once', async () => {
    const list = await media<{ value: Entity[] }>(f, c.token, 'GET', 'EncodingReservedUnitTypes');
    const accountId = list.json.value[0]?.AccountId as string;
    assert.equal(list.json.value.length, 1);
    assert.equal(list.json.value[0]?.MaxReservableUnits, 25);
    // A quoted guid is read as the guid; another account's guid is not found; beyond the quota is refused.
    const quoted = await media<Entity>(
      f,
      c.token,
      'GET',
      `EncodingReservedUnitTypes('${accountId.toUpperCase()}')`,
    );
    assert.equal(quoted.status, 200, quoted.text);
    assert.equal(quoted.json.AccountId, accountId);
    const other = await media(
      f,
      c.token,
      'MERGE',
      `EncodingReservedUnitTypes(guid'00000000-0000-0000-0000-000000000001')`,
      {
        body: { CurrentReservedUnits: 1 },
      },
    );
    expectODataError(other, 404);
    const tooMany = await media(f, c.token, 'MERGE', `EncodingReservedUnitTypes(guid'${accountId}')`, {
      body: { CurrentReservedUnits: 26 },
    });
    expectODataError(tooMany, 403);

    await c.setReservedUnits(1);
    const input = await c.upload(long, 'Long.mp4');
    const small = await c.upload(short, 'Small.mp4');
    const running = await c.start('running', input, 'H264 Multiple Bitrate 720p');
    await c.waitProgress(running.Id);
    const waiting = await c.start('waiting', small, 'H264 Single Bitrate Low Quality SD for Android');
    assert.equal((await c.job(waiting.Id)).State, JobState.Queued, 'one unit: the second job waits');
    await c.setReservedUnits(2);
    const { job } = await c.waitFinal(waiting.Id);
    assert.equal(job.State, JobState.Finished);
    assert.equal((await c.waitFinal(running.Id)).job.State, JobState.Finished);
    assert.ok(
      overlap(await span(c, running.Id), await span(c, waiting.Id)),
      'the waiting job ran beside the running one once there were two units',
    );

    // Two units: two jobs submitted together run together.
    const one = await c.start('one', small, 'H264 Single Bitrate Low Quality SD for Android');
    const two = await c.start('two', small, 'H264 Single Bitrate Low Quality SD for Android');
    for (const j of [one, two]) assert.equal((await c.waitFinal(j.Id)).job.State, JobState.Finished);
    assert.ok(overlap(await span(c, one.Id), await span(c, two.Id)));
    await c.setReservedUnits(0);
  });

  test('CancelJob between two chained tasks (the next one queued behind another job) ends the job at once', async () => {
    const input = await c.upload(short, 'Between.mp4');
    const chained = await c.submit({
      name: 'chained',
      inputs: [input],
      tasks: [
        {
          Name: 'first',
          Configuration: 'H264 Single Bitrate Low Quality SD for Android',
          TaskBody: taskBody(['JobInputAsset(0)'], [['JobOutputAsset(0)', 'first']]),
        },
        {
          Name: 'second',
          Configuration: 'AAC Good Quality Audio',
          TaskBody: taskBody(['JobOutputAsset(0)'], [['JobOutputAsset(1)', 'second']]),
        },
      ],
    });
    assert.equal(chained.status, 201, chained.text);
    const jobId = chained.json.Id;
    await c.waitState(jobId, JobState.Processing);
    // A higher-priority job takes the one unit when the first task ends.
    const urgent = await c.start('urgent', input, 'H264 Multiple Bitrate 720p', 10);
    await c.waitState(urgent.Id, JobState.Processing);
    const between = await c.tasks(jobId);
    assert.equal(between[0]?.State, JobState.Finished);
    assert.equal(between[1]?.State, JobState.Queued);
    assert.equal((await c.job(jobId)).State, JobState.Processing);

    assert.equal((await c.cancel(jobId)).status, 204);
    const job = await c.job(jobId);
    assert.equal(job.State, JobState.Canceled, 'nothing of the job runs: Canceled at once');
    assert.ok(job.EndTime);
    const tasks = await c.tasks(jobId);
    assert.deepEqual(
      tasks.map((t) => t.State),
      [JobState.Finished, JobState.Canceled],
    );
    assert.equal((await c.waitFinal(urgent.Id)).job.State, JobState.Finished);
    // The canceled task never ran, even once the unit was free again.
    const after = await c.tasks(jobId);
    assert.equal(after[1]?.State, JobState.Canceled);
    assert.equal(after[1]?.StartTime, null);
    const outputs = await c.outputs(jobId);
    assert.ok((await c.files(outputs[0]!.Id)).length > 0, 'the finished task keeps its output');
    assert.deepEqual(await c.files(outputs[1]!.Id), []);
    assert.ok(FINAL.has((await c.job(jobId)).State as number));
  });
});
