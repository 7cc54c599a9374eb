import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MediaServices } from '../../src/management/mediaServices.js';
import { ResourcePorts } from '../../src/management/resourcePorts.js';
import { ResourceGroups } from '../../src/management/resourceGroups.js';
import { Subscriptions } from '../../src/management/subscriptions.js';
import type { MediaAccount } from '../../src/media/accounts.js';
import type { ApiSession } from '../../src/media/api/types.js';
import { UnitOfWork } from '../../src/media/api/unitOfWork.js';
import { FileBlobStore } from '../../src/media/blobs/fileBlobStore.js';
import type { BlobProperties } from '../../src/media/blobs/blobStore.js';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import { newAsset } from '../../src/media/entities/assets.js';
import { createFileInfos } from '../../src/media/entities/files.js';
import { cancelJob, jobs } from '../../src/media/entities/jobs.js';
import type { RuleContext, RuleServices } from '../../src/media/entities/rules.js';
import { containerOf } from '../../src/media/ids.js';
import { JobRunner } from '../../src/media/jobs/runner.js';
import { setProgress } from '../../src/media/jobs/transitions.js';
import { readEntityBody } from '../../src/media/odata/bodyReader.js';
import type { EntityRecord } from '../../src/media/odata/edm.js';
import { entityTypeOf } from '../../src/media/odata/model.js';
import type { AccountWriter } from '../../src/media/persistence/mediaEntities.js';
import { MediaEntities } from '../../src/media/persistence/mediaEntities.js';
import { AccountUrls } from '../../src/media/urls.js';
import { openStore } from '../../src/store/database.js';
import type { Store } from '../../src/store/database.js';
import { Clips, JobState, MES, sleep, taskBody } from './jobsSupport.js';

const ACCOUNT = 'runneracct';
const ORIGIN = 'https://localhost:8443';
const PRESET = 'H264 Single Bitrate Low Quality SD for Android';

/** A store that can be told to refuse its next writes, as a locked database would. */
class FlakyEntities extends MediaEntities {
  failures = 0;
  override write<T>(account: string, work: (writer: AccountWriter) => T | Promise<T>): Promise<T> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('SQLITE_BUSY: database is locked'));
    }
    return super.write(account, work);
  }
}

/** Blob storage that can hold the n-th adopt of encoder output until released. */
class GatedBlobs extends FileBlobStore {
  adopts = 0;
  private gate: { at: number; reached: () => void; release: Promise<void> } | undefined;

  /** Resolves when the n-th adopt from now starts (the ones before it are done); `open` lets it go on. */
  holdAdopt(n: number): { reached: Promise<void>; open: () => void } {
    let reached!: () => void;
    let open!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const release = new Promise<void>((resolve) => (open = resolve));
    this.gate = { at: this.adopts + n, reached, release };
    return { reached: reachedPromise, open };
  }

  /** An upload: not encoder output, never counted or held. */
  upload(container: string, name: string, file: string): Promise<BlobProperties> {
    return super.adopt(container, name, file, 'video/mp4');
  }

  override async adopt(
    container: string,
    name: string,
    file: string,
    type?: string,
  ): Promise<BlobProperties> {
    this.adopts += 1;
    const gate = this.gate;
    if (gate && this.adopts === gate.at) {
      this.gate = undefined;
      gate.reached();
      await gate.release;
    }
    return super.adopt(container, name, file, type);
  }
}

describe('the job runner: cancel, shutdown and store failures while outputs are stored', () => {
  let dir: string;
  let db: Store;
  let entities: FlakyEntities;
  let blobs: GatedBlobs;
  let account: MediaAccount;
  let session: ApiSession;
  let clip: string;
  const clips = new Clips();
  const logged: Array<{ obj: unknown; msg: string }> = [];
  /** CancelJob's after-commit call to the runner; tests may hold it back. */
  let deliverCancel = true;
  let runner: JobRunner;

  const services = (): RuleServices => ({
    blobs,
    jobs: {
      wake: (name) => runner.wake(name),
      cancel: (name, jobId) => {
        if (deliverCancel) runner.cancel(name, jobId);
      },
    },
    events: { publish: () => undefined },
  });

  const newRunner = () =>
    new JobRunner({
      entities,
      accounts: { find: (name) => Promise.resolve(name === ACCOUNT ? account : null) },
      accountsWithJobs: () => Promise.resolve([ACCOUNT]),
      blobs,
      tools: locateFfmpeg,
      workDir: join(dir, 'work'),
      events: { publish: () => undefined },
      log: { error: (obj, msg) => logged.push({ obj, msg }) },
      finalWriteRetryMs: [10, 10],
    });

  /** One unit of work as the API runs a request, after-commit work included. */
  async function apply<T>(work: (ctx: RuleContext) => T | Promise<T>): Promise<T> {
    let unit: UnitOfWork | undefined;
    const result = await entities.write(ACCOUNT, async (writer) => {
      unit = new UnitOfWork(session, writer, services(), false);
      const value = await work(unit.ctx);
      await unit.complete();
      return value;
    });
    await unit?.committed((error) => {
      throw error;
    });
    return result;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-runner-'));
    clip = await clips.make('Runner.mp4', { seconds: 1 });
    db = await openStore({ dataDir: dir });
    const tenantId = randomUUID();
    await db
      .insertInto('tenants')
      .values({
        id: tenantId,
        kind: 'customer',
        domain: 'runner.test',
        display_name: 'Runner',
        created_at: 0,
      })
      .execute();
    const subscription = await new Subscriptions(db).create(tenantId, 'Media');
    await new ResourceGroups(db).createOrUpdate({
      subscriptionId: subscription.subscriptionId,
      name: 'media-rg',
      location: 'westus',
    });
    const { account: created } = await new MediaServices(db, new ResourcePorts(db)).createOrUpdate({
      subscriptionId: subscription.subscriptionId,
      resourceGroup: 'media-rg',
      name: ACCOUNT,
      location: 'westus',
    });
    account = {
      name: created.name,
      scope: created.id,
      tenantId,
      mediaServiceId: created.mediaServiceId,
      location: created.location,
      storageKey: Buffer.from(created.storageKey, 'hex'),
      port: null,
    };
    session = {
      account,
      urls: new AccountUrls(ORIGIN, ACCOUNT),
      format: 'minimal',
      dataServiceVersion: '3.0',
    };
    entities = new FlakyEntities(db);
    blobs = new GatedBlobs(join(dir, 'blobs'));
    runner = newRunner();
    await runner.start();
  });

  after(async () => {
    await runner.close();
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
    await clips.remove();
  });

  /** An uploaded asset and a one-task job reading it, submitted as POST Jobs is. */
  async function submit(name: string): Promise<{ jobId: string; outputId: string }> {
    const input = await apply((ctx) => newAsset(ctx, { name: 'Runner.mp4' }));
    const copy = join(dir, `${randomUUID()}.mp4`);
    await copyFile(clip, copy);
    await blobs.upload(containerOf(input.Id as string), 'Runner.mp4', copy);
    await apply((ctx) => createFileInfos(ctx, input.Id as string));
    const body = {
      Name: name,
      'InputMediaAssets@odata.bind': [
        `${ORIGIN}/media/${ACCOUNT}/api/Assets('${encodeURIComponent(input.Id as string)}')`,
      ],
      Tasks: [
        {
          Name: name,
          Configuration: PRESET,
          MediaProcessorId: MES,
          TaskBody: taskBody(['JobInputAsset(0)'], [['JobOutputAsset(0)', `${name} output`]]),
        },
      ],
    };
    const job = await apply((ctx) =>
      jobs.create!(
        ctx,
        readEntityBody('application/json', Buffer.from(JSON.stringify(body)), entityTypeOf('Jobs')),
      ),
    );
    const view = await entities.view(ACCOUNT);
    const [output] = view.targets('Jobs', job.Id as string, 'OutputMediaAssets');
    assert.ok(output);
    return { jobId: job.Id as string, outputId: output.targetId };
  }

  async function state(
    jobId: string,
  ): Promise<{ job: EntityRecord; task: EntityRecord; files: EntityRecord[] }> {
    const view = await entities.view(ACCOUNT);
    const job = view.get('Jobs', jobId);
    const task = view.list('Tasks').find((t) => t._jobId === jobId);
    assert.ok(job && task);
    const [output] = view.targets('Jobs', jobId, 'OutputMediaAssets');
    const files = view.list('Files').filter((f) => f.ParentAssetId === output?.targetId);
    return { job, task, files };
  }

  async function final(jobId: string) {
    for (let i = 0; i < 400; i++) {
      const s = await state(jobId);
      if ([JobState.Finished, JobState.Error, JobState.Canceled].includes(s.job.State as 3 | 4 | 5)) return s;
      await sleep(25);
    }
    assert.fail(`job ${jobId} did not end`);
  }

  /** Runs `body` with the gate, which is opened in any case (a failed assertion must not hang the run). */
  async function withGate(
    n: number,
    body: (gate: { reached: Promise<void>; open: () => void }) => Promise<void>,
  ) {
    const gate = blobs.holdAdopt(n);
    try {
      await body(gate);
    } finally {
      gate.open();
    }
  }

  const codes = (task: EntityRecord) =>
    (task.HistoricalEvents as Array<{ Code: string }>).map((e) => e.Code).filter((c) => c !== 'Progress');
  const workLeft = () => readdir(join(dir, 'work'));
  const outputBlobs = async (outputId: string) =>
    (await blobs.list(containerOf(outputId))).map((b) => b.name);

  test('a cancel while outputs move stops the moves and leaves no output blobs or Files', async () => {
    await withGate(2, async (gate) => {
      const { jobId, outputId } = await submit('cancel while storing');
      await gate.reached;
      assert.equal((await outputBlobs(outputId)).length, 1, 'one output blob is in place');
      assert.equal((await state(jobId)).task.State, JobState.Processing);
      await apply((ctx) => cancelJob(ctx, jobId));
      assert.equal((await state(jobId)).job.State, JobState.Canceling);
      gate.open();
      const { job, task, files } = await final(jobId);
      assert.equal(job.State, JobState.Canceled);
      assert.equal(task.State, JobState.Canceled);
      assert.deepEqual(files, []);
      assert.deepEqual(await outputBlobs(outputId), []);
      assert.deepEqual(codes(task).slice(-3), ['Processing', 'Canceling', 'Canceled']);
    });
    await runner.idle();
    assert.deepEqual(await workLeft(), []);
  });

  test('a cancel that commits after the last move, before the encoder hears of it, still wins over Finished', async () => {
    await withGate(4, async (gate) => {
      const { jobId, outputId } = await submit('cancel before the final write');
      await gate.reached; // the last of the four outputs
      deliverCancel = false; // the cancel commits; its signal to the runner is late
      try {
        await apply((ctx) => cancelJob(ctx, jobId));
      } finally {
        deliverCancel = true;
      }
      gate.open();
      const { job, task, files } = await final(jobId);
      assert.equal(job.State, JobState.Canceled, 'CancelJob answered 204: the job must not end Finished');
      assert.equal(task.State, JobState.Canceled);
      assert.ok((task.Progress as number) < 100);
      assert.deepEqual(files, []);
      assert.deepEqual(await outputBlobs(outputId), []);
      runner.cancel(ACCOUNT, jobId); // the late signal changes nothing
      await runner.idle();
      assert.equal((await state(jobId)).job.State, JobState.Canceled);
    });
  });

  test('a shutdown while outputs move leaves the task to run again, which then finishes with its files', async () => {
    let jobId = '';
    let outputId = '';
    await withGate(2, async (gate) => {
      ({ jobId, outputId } = await submit('shutdown while storing'));
      await gate.reached;
      const closing = runner.close();
      gate.open();
      await closing;
    });
    const stopped = await state(jobId);
    assert.equal(stopped.task.State, JobState.Processing, 'left for the next start');
    assert.deepEqual(stopped.files, []);
    assert.deepEqual(await outputBlobs(outputId), []);
    assert.deepEqual(await workLeft(), []);

    runner = newRunner();
    await runner.start();
    const { job, task, files } = await final(jobId);
    assert.equal(job.State, JobState.Finished, JSON.stringify(task.ErrorDetails));
    assert.equal(task.Progress, 100);
    assert.deepEqual(codes(task), [
      'Queued',
      'Scheduled',
      'Processing',
      'Queued',
      'Scheduled',
      'Processing',
      'Finished',
    ]);
    const stored = await blobs.list(containerOf(outputId));
    assert.deepEqual(
      files.map((f) => [f.Name, f.ContentFileSize]).sort(),
      stored.map((b) => [b.name, b.size]).sort(),
    );
    assert.equal(files.length, 4);
  });

  test('when the store refuses the final write the task ends in Error, never Processing, and its blobs go', async () => {
    await withGate(4, async (gate) => {
      const { jobId, outputId } = await submit('store refuses');
      await gate.reached;
      entities.failures = 2; // the Files + Finished unit, then the first attempt of the Error unit
      gate.open();
      const { job, task, files } = await final(jobId);
      assert.equal(entities.failures, 0);
      assert.equal(job.State, JobState.Error);
      assert.equal(task.State, JobState.Error);
      assert.deepEqual(task.ErrorDetails, [
        { Code: 'ErrorProcessingTask', Message: 'The task failed unexpectedly.' },
      ]);
      assert.deepEqual(files, []);
      assert.deepEqual(await outputBlobs(outputId), []);
      assert.ok(logged.some((l) => l.msg === 'encoding task failed'));
    });
    await runner.idle();
    assert.deepEqual(await workLeft(), []);
  });

  test('a progress write that comes late never undoes Finished, Progress 100 or a cancel', async () => {
    const { jobId } = await submit('late progress');
    const done = await final(jobId);
    assert.equal(done.task.State, JobState.Finished);
    const taskId = done.task.Id as string;
    await entities.write(ACCOUNT, (writer) => setProgress(writer, taskId, 42, Date.now()));
    const after = await state(jobId);
    assert.equal(after.task.State, JobState.Finished);
    assert.equal(after.task.Progress, 100);
    assert.deepEqual(after.task, done.task);
    assert.equal(after.job.State, JobState.Finished);
    // Nor does one at 100 while Processing: 100 comes only with Finished.
    const processing = {
      ...done.task,
      Id: `nb:tid:UUID:${randomUUID()}`,
      State: JobState.Processing,
      Progress: 10,
    };
    await entities.write(ACCOUNT, (writer) => writer.insert('Tasks', processing));
    await entities.write(ACCOUNT, (writer) => setProgress(writer, processing.Id, 100, Date.now()));
    await entities.write(ACCOUNT, (writer) => setProgress(writer, processing.Id, 5, Date.now()));
    const capped = (await entities.view(ACCOUNT)).get('Tasks', processing.Id);
    assert.equal(capped?.Progress, 99.9);
    assert.equal(capped?.State, JobState.Processing);
    await entities.write(ACCOUNT, (writer) => writer.remove('Tasks', processing.Id));
  });
});
