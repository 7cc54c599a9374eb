import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { containerOf } from '../../src/media/ids.js';
import { withMediaTables } from '../../src/media/persistence/mediaTables.js';
import { storeEngines } from '../support/database.js';
import { Clips } from './jobsSupport.js';
import {
  JobState,
  MediaNode,
  closeCluster,
  entity,
  eventually,
  ffmpegRuns,
  jobEnded,
  openCluster,
  processAlive,
  submitJob,
  taskHistory,
  uploadInput,
} from './multiNodeSupport.js';
import type { Cluster } from './multiNodeSupport.js';

/**
 * Two job runners (node processes) on one store and one media folder: every task runs on exactly
 * one of them, a node killed mid-task leaves it to the other, and a cancel made through one node
 * stops the encoder on the other. On SQLite the nodes share the data folder (as the CLI and a
 * server, or two servers, do); on PostgreSQL the database.
 */
for (const { engine, skip } of storeEngines()) {
  describe(`media jobs on two nodes (${engine})`, { skip }, () => {
    const clips = new Clips();
    let clip: string;
    let cluster: Cluster | undefined;
    let inputId: string;

    before(async () => {
      clip = await clips.make('MultiNode.mp4', { seconds: 1, width: 160, height: 120 });
    });

    after(async () => {
      await clips.remove();
    });

    const setUp = async () => {
      cluster = await openCluster(engine);
      inputId = await uploadInput(cluster, clip);
      return cluster;
    };
    const tearDown = async () => {
      await closeCluster(cluster);
      cluster = undefined;
    };

    const leases = (c: Cluster) =>
      withMediaTables(c.db).selectFrom('media_task_claims').select(['task_id', 'node']).execute();

    test('jobs submitted while two nodes poll run exactly once each', async () => {
      const c = await setUp();
      try {
        await Promise.all([MediaNode.start(c, 'node-a'), MediaNode.start(c, 'node-b')]);
        const jobs = [];
        for (let i = 0; i < 4; i++) jobs.push(await submitJob(c, inputId, `job ${i}`));
        for (const { jobId } of jobs) {
          const job = await jobEnded(c, jobId);
          assert.equal(job.State, JobState.Finished, JSON.stringify(job));
        }
        // One claim per task (one Scheduled in its history), one encode per task.
        for (const { taskId, outputId } of jobs) {
          const history = await taskHistory(c, taskId);
          assert.deepEqual(history, ['Queued', 'Scheduled', 'Processing', 'Finished'], taskId);
          const files = await c.data.list(c.session, `Assets('${encodeURIComponent(outputId)}')/Files`);
          const blobs = await c.data.blobs.list(containerOf(outputId));
          assert.deepEqual(files.map((f) => f.Name).sort(), blobs.map((b) => b.name).sort());
          assert.ok(files.length > 0);
        }
        const runs = await ffmpegRuns(c);
        assert.equal(runs.length, jobs.length, JSON.stringify(runs));
        assert.deepEqual(await leases(c), [], 'every lease is given up with its task');
      } finally {
        await tearDown();
      }
    });

    test('a node killed with -9 mid-task leaves its task to the other node, which finishes it', async () => {
      const c = await setUp();
      try {
        // Node A alone: it claims the task, and its encode holds (a long encode).
        const a = await MediaNode.start(c, 'node-a', { hold: join(c.location.dataDir, 'never') });
        const { jobId, taskId, outputId } = await submitJob(c, inputId, 'orphaned');
        await eventually('node A to start encoding', async () =>
          (await ffmpegRuns(c)).some((r) => r.node === 'node-a') ? true : undefined,
        );
        assert.equal((await entity(c, 'Tasks', taskId)).State, JobState.Processing);
        assert.deepEqual(
          (await leases(c)).map((l) => l.node),
          ['node-a'],
        );
        const b = await MediaNode.start(c, 'node-b');
        await a.kill();
        const job = await jobEnded(c, jobId);
        assert.equal(job.State, JobState.Finished, JSON.stringify(job));
        assert.deepEqual(await taskHistory(c, taskId), [
          'Queued',
          'Scheduled',
          'Processing',
          'Queued',
          'Scheduled',
          'Processing',
          'Finished',
        ]);
        assert.deepEqual(
          (await ffmpegRuns(c)).map((r) => r.node),
          ['node-a', 'node-b'],
        );
        const files = await c.data.list(c.session, `Assets('${encodeURIComponent(outputId)}')/Files`);
        const blobs = await c.data.blobs.list(containerOf(outputId));
        assert.deepEqual(files.map((f) => f.Name).sort(), blobs.map((b) => b.name).sort());
        assert.ok(files.length > 0);
        // Nothing of the dead run is left in the shared scratch space, nor any lease.
        const work = await readdir(join(c.location.dataDir, 'media', 'work'));
        assert.deepEqual(
          work.filter((entry) => entry.endsWith('.node-a')),
          [],
        );
        assert.deepEqual(await leases(c), []);
        await b.stop();
      } finally {
        await tearDown();
      }
    });

    test('a cancel made through one node stops the encoder running on the other', async () => {
      const c = await setUp();
      try {
        const a = await MediaNode.start(c, 'node-a', { hold: join(c.location.dataDir, 'never') });
        const { jobId, taskId } = await submitJob(c, inputId, 'canceled elsewhere');
        const run = await eventually('node A to start encoding', async () =>
          (await ffmpegRuns(c)).find((r) => r.node === 'node-a'),
        );
        assert.ok(processAlive(run.pid), 'the encoder runs on node A');
        const b = await MediaNode.start(c, 'node-b');
        const canceled = await b.call<{ status: number }>({
          op: 'request',
          method: 'GET',
          path: `CancelJob?jobid='${encodeURIComponent(jobId)}'`,
        });
        assert.equal(canceled.status, 204);
        const job = await jobEnded(c, jobId);
        assert.equal(job.State, JobState.Canceled);
        const history = await taskHistory(c, taskId);
        assert.deepEqual(history.slice(-3), ['Processing', 'Canceling', 'Canceled']);
        await eventually('the encoder on node A to stop', async () =>
          processAlive(run.pid) ? undefined : true,
        );
        assert.deepEqual(await leases(c), []);
        // Node B ran nothing: the task was node A's until its encoder stopped.
        assert.deepEqual(
          (await ffmpegRuns(c)).map((r) => r.node),
          ['node-a'],
        );
        await Promise.all([a.stop(), b.stop()]);
      } finally {
        await tearDown();
      }
    });
  });
}
