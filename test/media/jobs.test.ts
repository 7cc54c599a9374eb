import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Entity, Observation } from './jobsSupport.js';
import { Clips, JobState, JobsClient, keyPath, taskBody, time, workDirEntries } from './jobsSupport.js';
import type { MediaFixture } from './support.js';
import { expectODataError, media, mediaCaller, startMedia } from './support.js';

interface HistoricalEvent {
  Code: string;
  Message: string;
  TimeStamp: string;
}

const STATE_CODES = new Set([
  'Queued',
  'Scheduled',
  'Processing',
  'Finished',
  'Error',
  'Canceling',
  'Canceled',
]);

/** A task's HistoricalEvents: the state codes in order, and the progress values its Progress events carry. */
function history(task: Entity): { states: string[]; progress: number[]; events: HistoricalEvent[] } {
  const events = task.HistoricalEvents as HistoricalEvent[];
  assert.ok(Array.isArray(events), JSON.stringify(task));
  const stamps = events.map((e) => time(e.TimeStamp));
  assert.deepEqual(
    stamps,
    [...stamps].sort((a, b) => a - b),
    'events are in time order',
  );
  return {
    events,
    states: events.filter((e) => STATE_CODES.has(e.Code)).map((e) => e.Code),
    progress: events.filter((e) => e.Code === 'Progress').map((e) => parseFloat(e.Message)),
  };
}

describe('encoding jobs through the v2 API: states, chained tasks, failures', () => {
  let f: MediaFixture;
  let c: JobsClient;
  const clips = new Clips();
  let long: string;
  let short: string;
  let broken: string;

  before(async () => {
    [long, short, broken] = await Promise.all([
      clips.make('Long.mp4', { seconds: 7 }),
      clips.make('Short.mp4', { seconds: 2 }),
      // Text, not random bytes: ffmpeg's probes now and then find a format in noise (1 run in ~20).
      clips.garbage('broken.mp4', Buffer.from('This is not a media file.\n'.repeat(2600))),
    ]);
    f = await startMedia('jobsacct');
    const { token } = await mediaCaller(f, { displayName: 'encoder', role: 'Contributor' });
    c = new JobsClient(f, token);
  });
  after(async () => {
    await f?.t.stop();
    await clips.remove();
  });

  test('a job moves Queued → Scheduled → Processing → Finished, with progress, times and its files', async () => {
    const input = await c.upload(long, 'Long.mp4');
    const created = await c.start('states', input, 'H264 Multiple Bitrate 720p');
    assert.equal(created.State, JobState.Queued);
    const seen: Observation[] = [{ job: created.State as number, task: JobState.Queued, progress: 0 }];
    const { job, tasks } = await c.waitFinal(created.Id, seen);
    const task = tasks[0]!;
    assert.equal(job.State, JobState.Finished, JSON.stringify(task.ErrorDetails));
    assert.equal(task.State, JobState.Finished);

    // What polling saw: states never go back, progress never goes back, and 100 only once Finished.
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      assert.ok(b.job >= a.job && b.task >= a.task, `states went back: ${JSON.stringify(seen)}`);
      assert.ok(b.progress >= a.progress, `progress went back: ${JSON.stringify(seen)}`);
    }
    for (const s of seen) {
      assert.ok(
        s.progress < 100 || s.task === JobState.Finished,
        `100 before Finished: ${JSON.stringify(seen)}`,
      );
      if (s.task === JobState.Processing) assert.equal(s.job, JobState.Processing);
    }
    assert.equal(seen.at(-1)?.progress, 100);
    assert.equal(task.Progress, 100);

    // What the task recorded: every state in order, and progress written while it was Processing.
    const h = history(task);
    assert.deepEqual(h.states, ['Queued', 'Scheduled', 'Processing', 'Finished'], JSON.stringify(h.events));
    assert.ok(
      h.progress.some((p) => p > 0 && p < 100),
      `an intermediate progress write: ${JSON.stringify(h.events)}`,
    );
    const processingAt = h.events.findIndex((e) => e.Code === 'Processing');
    const finishedAt = h.events.findIndex((e) => e.Code === 'Finished');
    assert.ok(
      h.events.every((e, i) => e.Code !== 'Progress' || (i > processingAt && i < finishedAt)),
      'progress only while Processing',
    );
    assert.deepEqual(
      h.progress,
      [...h.progress].sort((a, b) => a - b),
    );

    // Times.
    const [taskStart, taskEnd] = [time(task.StartTime), time(task.EndTime)];
    assert.ok(taskStart <= taskEnd);
    assert.ok(Math.abs((task.RunningDuration as number) - (taskEnd - taskStart) / 1000) < 0.01);
    assert.ok((task.RunningDuration as number) > 0);
    const [jobStart, jobEnd] = [time(job.StartTime), time(job.EndTime)];
    assert.ok(jobStart <= taskStart && taskEnd <= jobEnd);
    assert.ok(time(job.Created) <= jobStart);
    assert.ok((job.RunningDuration as number) > 0);
    assert.match(
      task.PerfMessage as string,
      /Encoded 7\.\d{3} s of 'Long\.mp4'.*"H264 Multiple Bitrate 720p"/,
    );
    assert.deepEqual(task.ErrorDetails, []);

    // The output asset: six layers, the manifest, the metadata and the server manifest, sized as stored.
    const [output] = await c.outputs(created.Id);
    assert.ok(output);
    const files = await c.files(output.Id);
    const names = files.map((x) => x.Name as string).sort();
    assert.equal(names.filter((n) => n.endsWith('.mp4')).length, 6, names.join(','));
    assert.ok(names.includes('Long_manifest.xml'), names.join(','));
    assert.ok(names.includes(`${input.Id.replace('nb:cid:UUID:', '')}_metadata.xml`), names.join(','));
    assert.ok(names.includes('Long.ism'), names.join(','));
    const blobs = await c.blobs(output.Id);
    assert.deepEqual([...blobs.keys()].sort(), names);
    for (const file of files) {
      assert.equal(file.ContentFileSize, String(blobs.get(file.Name as string)), file.Name as string);
      assert.ok(Number(file.ContentFileSize) > 0);
    }
    assert.deepEqual(
      files.filter((x) => x.IsPrimary === true).map((x) => x.Name),
      ['Long.ism'],
    );
    assert.deepEqual(await workDirEntries(f), [], 'the scratch space is empty');
  });

  test('a second task reads the first one’s JobOutputAsset(0): both run, in order', async () => {
    const input = await c.upload(short, 'Chained.mp4');
    const created = await c.submit({
      name: 'chained',
      inputs: [input],
      tasks: [
        {
          Name: 'first',
          Configuration: 'H264 Single Bitrate Low Quality SD for Android',
          TaskBody: taskBody(['JobInputAsset(0)'], [['JobOutputAsset(0)', 'first output']]),
        },
        {
          Name: 'second',
          Configuration: 'AAC Good Quality Audio',
          TaskBody: taskBody(['JobOutputAsset(0)'], [['JobOutputAsset(1)', 'second output']]),
        },
      ],
    });
    assert.equal(created.status, 201, created.text);
    const { job, tasks } = await c.waitFinal(created.json.Id);
    assert.equal(job.State, JobState.Finished, JSON.stringify(tasks.map((t) => t.ErrorDetails)));
    const [first, second] = tasks;
    assert.equal(first?.Name, 'first');
    assert.equal(second?.Name, 'second');
    assert.equal(first.State, JobState.Finished);
    assert.equal(second.State, JobState.Finished);
    assert.ok(time(first.EndTime) <= time(second.StartTime), 'the second task started after the first ended');

    const outputs = await c.outputs(created.json.Id);
    assert.deepEqual(
      outputs.map((a) => a.Name),
      ['first output', 'second output'],
    );
    const secondInputs = await media<{ value: Entity[] }>(
      f,
      c.token,
      'GET',
      `${keyPath('Tasks', second.Id)}/InputMediaAssets`,
    );
    assert.deepEqual(
      secondInputs.json.value.map((a) => a.Id),
      [outputs[0]?.Id],
    );
    const firstFiles = (await c.files(outputs[0]!.Id)).map((x) => x.Name as string);
    const secondFiles = (await c.files(outputs[1]!.Id)).map((x) => x.Name as string);
    const firstMp4 = firstFiles.find((n) => n.endsWith('.mp4'));
    assert.match(firstMp4 ?? '', /^Chained_176x\d+_56\.mp4$/, firstFiles.join(','));
    // The second task encoded the first one's MP4 (its server manifest is the primary file).
    assert.ok(
      secondFiles.some((n) => n.startsWith(firstMp4!.replace(/\.mp4$/, '')) && n.endsWith('.mp4')),
      secondFiles.join(','),
    );
    assert.ok((second.PerfMessage as string).includes(`'${firstMp4!}'`), second.PerfMessage as string);
  });

  test('a cycle between tasks, or a JobOutputAsset no task writes, is refused at submission; nothing is created', async () => {
    const input = await c.upload(short, 'Refused.mp4');
    const before = {
      jobs: await c.count('Jobs'),
      tasks: await c.count('Tasks'),
      assets: await c.count('Assets'),
    };
    const cycle = await c.submit({
      name: 'cycle',
      inputs: [input],
      tasks: [
        {
          Configuration: 'AAC Audio',
          TaskBody: taskBody(['JobOutputAsset(1)'], [['JobOutputAsset(0)']]),
        },
        {
          Configuration: 'AAC Audio',
          TaskBody: taskBody(['JobOutputAsset(0)'], [['JobOutputAsset(1)']]),
        },
      ],
    });
    assert.match(expectODataError(cycle, 400), /cycle/);
    const self = await c.submit({
      name: 'self',
      inputs: [input],
      tasks: [
        { Configuration: 'AAC Audio', TaskBody: taskBody(['JobOutputAsset(0)'], [['JobOutputAsset(0)']]) },
      ],
    });
    assert.match(expectODataError(self, 400), /cycle/);
    const unproduced = await c.submit({
      name: 'unproduced',
      inputs: [input],
      tasks: [
        {
          Configuration: 'AAC Audio',
          TaskBody: taskBody(['JobInputAsset(0)'], [['JobOutputAsset(0)']]),
        },
        {
          Configuration: 'AAC Audio',
          TaskBody: taskBody(['JobOutputAsset(3)'], [['JobOutputAsset(1)']]),
        },
      ],
    });
    assert.match(expectODataError(unproduced, 400), /JobOutputAsset\(3\)/);
    const missingInput = await c.submit({
      name: 'missing input',
      inputs: [input],
      tasks: [
        { Configuration: 'AAC Audio', TaskBody: taskBody(['JobInputAsset(1)'], [['JobOutputAsset(0)']]) },
      ],
    });
    assert.match(expectODataError(missingInput, 400), /JobInputAsset\(1\)/);
    assert.deepEqual(
      { jobs: await c.count('Jobs'), tasks: await c.count('Tasks'), assets: await c.count('Assets') },
      before,
    );
  });

  test('a file that is not media ends the job in Error with the reason, and no output files', async () => {
    const input = await c.upload(broken, 'broken.mp4');
    const created = await c.start('broken', input, 'H264 Single Bitrate 720p');
    const { job, tasks } = await c.waitFinal(created.Id);
    assert.equal(job.State, JobState.Error);
    const task = tasks[0]!;
    assert.equal(task.State, JobState.Error);
    const details = task.ErrorDetails as Array<{ Code: string; Message: string }>;
    assert.equal(details.length, 1, JSON.stringify(details));
    assert.deepEqual(Object.keys(details[0]!).sort(), ['Code', 'Message']);
    assert.equal(details[0]?.Code, 'ErrorDownloadingInputAssetMalformedContent');
    assert.match(details[0]!.Message, /'broken\.mp4'/);
    assert.match(details[0]!.Message, /not|invalid|cannot|could not/i);
    assert.ok(job.EndTime && task.EndTime, 'end times are set');
    assert.deepEqual(history(task).states.at(-1), 'Error');
    assert.equal(history(task).events.at(-1)?.Message, details[0]?.Message);
    const [output] = await c.outputs(created.Id);
    assert.deepEqual(await c.files(output!.Id), []);
    assert.equal((await c.blobs(output!.Id)).size, 0);
    assert.deepEqual(await workDirEntries(f), []);
  });

  test('an unknown preset or a processor other than Media Encoder Standard is refused at submission', async () => {
    const input = await c.upload(short, 'Presets.mp4');
    const before = {
      jobs: await c.count('Jobs'),
      tasks: await c.count('Tasks'),
      assets: await c.count('Assets'),
    };
    const unknown = await c.submit({
      name: 'unknown preset',
      inputs: [input],
      tasks: [{ Configuration: 'H264 Ultra 8K' }],
    });
    assert.match(expectODataError(unknown, 400), /Configuration/);
    const malformed = await c.submit({
      name: 'malformed preset',
      inputs: [input],
      tasks: [{ Configuration: '{"Codecs": [' }],
    });
    expectODataError(malformed, 400);
    const processors = await media<{ value: Entity[] }>(
      f,
      c.token,
      'GET',
      `MediaProcessors()?$filter=Name eq 'Azure Media Indexer'`,
    );
    const indexer = processors.json.value[0];
    assert.ok(indexer, processors.text);
    const other = await c.submit({
      name: 'indexer',
      inputs: [input],
      tasks: [{ Configuration: 'H264 Single Bitrate 720p', MediaProcessorId: indexer.Id }],
    });
    assert.match(expectODataError(other, 400), /Azure Media Indexer/);
    const missing = await c.submit({
      name: 'no processor',
      inputs: [input],
      tasks: [
        {
          Configuration: 'H264 Single Bitrate 720p',
          MediaProcessorId: 'nb:mpid:UUID:00000000-0000-0000-0000-000000000000',
        },
      ],
    });
    assert.match(expectODataError(missing, 400), /does not exist/);
    assert.deepEqual(
      { jobs: await c.count('Jobs'), tasks: await c.count('Tasks'), assets: await c.count('Assets') },
      before,
    );
  });
});
