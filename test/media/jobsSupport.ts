import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MediaFixture } from './support.js';
import { JobState } from '../../src/media/jobs/states.js';
import { clipArgs, media, uploadAsset } from './support.js';

const run = promisify(execFile);

export const MES = 'nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56';
export { JobState };
export const FINAL: ReadonlySet<number> = new Set([JobState.Finished, JobState.Error, JobState.Canceled]);

export interface Entity {
  Id: string;
  [name: string]: unknown;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const keyPath = (set: string, id: string) => `${set}('${encodeURIComponent(id)}')`;

/** Clips made once per test file, with async ffmpeg (never a sync child while a server runs). */
export class Clips {
  private dir: Promise<string> | undefined;

  /** One folder for the file's clips (made once, even when clips are made side by side). */
  private folder(): Promise<string> {
    this.dir ??= mkdtemp(join(tmpdir(), 'tessera-jobs-clip-'));
    return this.dir;
  }

  async make(name: string, options: { seconds: number; width?: number; height?: number }): Promise<string> {
    const path = join(await this.folder(), name);
    await run('ffmpeg', clipArgs(path, options));
    return path;
  }

  /** Bytes that are no media at all, under a media file's name. */
  async garbage(name: string, bytes: Buffer): Promise<string> {
    const path = join(await this.folder(), name);
    await writeFile(path, bytes);
    return path;
  }

  async remove(): Promise<void> {
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
  }
}

export const taskBody = (inputs: string[], outputs: Array<[string, string?]>): string =>
  '<?xml version="1.0" encoding="utf-8"?><taskBody>' +
  inputs.map((i) => `<inputAsset>${i}</inputAsset>`).join('') +
  outputs
    .map(([o, name]) => `<outputAsset${name ? ` assetName="${name}"` : ''}>${o}</outputAsset>`)
    .join('') +
  '</taskBody>';

export interface TaskInput {
  Name?: string;
  Configuration: string;
  MediaProcessorId?: string;
  TaskBody?: string;
}

/** What the tests do through the API, as the Postman collection and the RestSharp sample do it. */
export class JobsClient {
  constructor(
    readonly f: MediaFixture,
    readonly token: string,
  ) {}

  /** Asset + write policy + SAS locator, PUT the file, CreateFileInfos, then drop the locator. */
  async upload(file: string, name = 'BigBuckBunny.mp4'): Promise<Entity> {
    return uploadAsset(this.f, this.token, file, name);
  }

  /** `POST Jobs` in the minimal dialect with `InputMediaAssets@odata.bind`; the raw response. */
  submit(job: {
    name: string;
    inputs: Entity[];
    tasks: TaskInput[];
    priority?: number;
    subscriptions?: Array<{ NotificationEndPointId: string; TargetJobState: number }>;
  }) {
    return media<Entity>(this.f, this.token, 'POST', 'Jobs', {
      body: {
        Name: job.name,
        ...(job.priority !== undefined ? { Priority: job.priority } : {}),
        ...(job.subscriptions ? { JobNotificationSubscriptions: job.subscriptions } : {}),
        'InputMediaAssets@odata.bind': job.inputs.map((a) => `${this.f.api}${keyPath('Assets', a.Id)}`),
        Tasks: job.tasks.map((t, i) => ({
          Name: t.Name ?? `task ${i}`,
          Configuration: t.Configuration,
          MediaProcessorId: t.MediaProcessorId ?? MES,
          TaskBody:
            t.TaskBody ?? taskBody(['JobInputAsset(0)'], [['JobOutputAsset(0)', `${job.name} output`]]),
        })),
      },
    });
  }

  /** Submits one single-task job and expects 201. */
  async start(name: string, input: Entity, configuration: string, priority?: number): Promise<Entity> {
    const created = await this.submit({
      name,
      inputs: [input],
      tasks: [{ Configuration: configuration }],
      ...(priority !== undefined ? { priority } : {}),
    });
    assert.equal(created.status, 201, created.text);
    return created.json;
  }

  async job(id: string): Promise<Entity> {
    const r = await media<Entity>(this.f, this.token, 'GET', keyPath('Jobs', id));
    assert.equal(r.status, 200, r.text);
    return r.json;
  }

  async tasks(jobId: string): Promise<Entity[]> {
    const r = await media<{ value: Entity[] }>(this.f, this.token, 'GET', `${keyPath('Jobs', jobId)}/Tasks`);
    assert.equal(r.status, 200, r.text);
    return r.json.value;
  }

  async outputs(jobId: string): Promise<Entity[]> {
    const r = await media<{ value: Entity[] }>(
      this.f,
      this.token,
      'GET',
      `${keyPath('Jobs', jobId)}/OutputMediaAssets`,
    );
    assert.equal(r.status, 200, r.text);
    return r.json.value;
  }

  async files(assetId: string): Promise<Entity[]> {
    const r = await media<{ value: Entity[] }>(
      this.f,
      this.token,
      'GET',
      `${keyPath('Assets', assetId)}/Files`,
    );
    assert.equal(r.status, 200, r.text);
    return r.json.value;
  }

  async count(set: string): Promise<number> {
    const r = await media<{ value: Entity[] }>(this.f, this.token, 'GET', set);
    assert.equal(r.status, 200, r.text);
    return r.json.value.length;
  }

  /** The asset container's blobs (name → size), listed through a Read+List SAS locator. */
  async blobs(assetId: string): Promise<Map<string, number>> {
    const { f, token } = this;
    const policy = await media<Entity>(f, token, 'POST', 'AccessPolicies', {
      body: { Name: 'list', DurationInMinutes: 60, Permissions: 9 },
    });
    assert.equal(policy.status, 201, policy.text);
    const locator = await media<Entity & { BaseUri: string; ContentAccessComponent: string }>(
      f,
      token,
      'POST',
      'Locators',
      { body: { AccessPolicyId: policy.json.Id, AssetId: assetId, Type: 1 } },
    );
    assert.equal(locator.status, 201, locator.text);
    try {
      const res = await fetch(
        `${locator.json.BaseUri}${locator.json.ContentAccessComponent}&restype=container&comp=list`,
        { headers: { 'x-ms-version': '2015-02-21' } },
      );
      const xml = await res.text();
      assert.equal(res.status, 200, xml);
      const blobs = new Map<string, number>();
      for (const m of xml.matchAll(
        /<Blob>.*?<Name>([^<]*)<\/Name>.*?<Content-Length>(\d+)<\/Content-Length>/gs,
      ))
        blobs.set(m[1] ?? '', Number(m[2]));
      return blobs;
    } finally {
      await media(f, token, 'DELETE', keyPath('Locators', locator.json.Id));
      await media(f, token, 'DELETE', keyPath('AccessPolicies', policy.json.Id));
    }
  }

  async cancel(jobId: string) {
    return media(this.f, this.token, 'GET', `CancelJob?jobid='${encodeURIComponent(jobId)}'`);
  }

  async setReservedUnits(units: number): Promise<void> {
    const { f, token } = this;
    const list = await media<{ value: Entity[] }>(f, token, 'GET', 'EncodingReservedUnitTypes');
    assert.equal(list.status, 200, list.text);
    const accountId = list.json.value[0]?.AccountId as string;
    assert.match(accountId, /^[0-9a-f-]{36}$/);
    const merge = await media(f, token, 'MERGE', `EncodingReservedUnitTypes(guid'${accountId}')`, {
      body: { CurrentReservedUnits: units },
    });
    assert.equal(merge.status, 204, merge.text);
    const after = await media<Entity>(f, token, 'GET', `EncodingReservedUnitTypes(guid'${accountId}')`);
    assert.equal(after.status, 200, after.text);
    assert.equal(after.json.CurrentReservedUnits, units);
  }

  /**
   * Polls the job (and its first task) until `done` holds, recording every distinct
   * (job State, task State, Progress) seen. Bounded: fails after `limit` polls.
   */
  async poll(
    jobId: string,
    done: (job: Entity, tasks: Entity[]) => boolean,
    options: { limit?: number; interval?: number; seen?: Observation[] } = {},
  ): Promise<{ job: Entity; tasks: Entity[]; seen: Observation[] }> {
    const { limit = 1200, interval = 100, seen = [] } = options;
    for (let i = 0; i < limit; i++) {
      const job = await this.job(jobId);
      const tasks = await this.tasks(jobId);
      const task = tasks[0];
      const observation = {
        job: job.State as number,
        task: task?.State as number,
        progress: Number(task?.Progress ?? 0),
      };
      const last = seen.at(-1);
      if (
        !last ||
        last.job !== observation.job ||
        last.task !== observation.task ||
        last.progress !== observation.progress
      )
        seen.push(observation);
      if (done(job, tasks)) return { job, tasks, seen };
      await sleep(interval);
    }
    assert.fail(`job ${jobId} did not get there; seen ${JSON.stringify(seen)}`);
  }

  async waitFinal(jobId: string, seen?: Observation[]) {
    return this.poll(jobId, (job) => FINAL.has(job.State as number), seen ? { seen } : {});
  }

  async waitState(jobId: string, state: number) {
    return this.poll(jobId, (job) => {
      if (FINAL.has(job.State as number) && job.State !== state)
        assert.fail(`job ended ${String(job.State)} while waiting for ${state}`);
      return job.State === state;
    });
  }

  /** Waits until the job's first task is Processing and has reported some progress. */
  async waitProgress(jobId: string) {
    return this.poll(jobId, (job, tasks) => {
      if (FINAL.has(job.State as number)) assert.fail(`job ended ${String(job.State)} before progress`);
      return tasks[0]?.State === JobState.Processing && Number(tasks[0]?.Progress) > 0;
    });
  }
}

export interface Observation {
  job: number;
  task: number;
  progress: number;
}

/** The ffmpeg processes this test process (and so the server under test) started, by pid. */
export async function ffmpegChildren(): Promise<number[]> {
  const { stdout } = await run('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)]).catch(
    (error: { stdout?: string; code?: number }) => {
      // ps exits 1 when no process matches.
      if (error.code === 1) return { stdout: error.stdout ?? '' };
      throw error;
    },
  );
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm]) => comm === 'ffmpeg')
    .map(([pid]) => Number(pid));
}

/** Everything left below the server's encoder scratch space. */
export async function workDirEntries(f: MediaFixture): Promise<string[]> {
  const dir = join(f.t.dataDir, 'media', 'work');
  return readdir(dir, { recursive: true }).catch(() => []);
}

/** Dates come back as ISO strings in the minimal dialect. */
export const time = (value: unknown): number => {
  assert.equal(typeof value, 'string', `a date is expected, got ${JSON.stringify(value)}`);
  const ms = Date.parse(value as string);
  assert.ok(Number.isFinite(ms), String(value));
  return ms;
};
