// Several media nodes on one store and one media folder: the test process plays the CLI (it
// creates the account, uploads and submits, and runs no jobs), and each node is a process of its
// own (multiNodeWorker.ts) with a job runner and the API, on SQLite (one data folder) or on
// PostgreSQL (one database, the data folder shared as the media folder is).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiSession } from '../../src/media/api/types.js';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import { MediaError } from '../../src/media/errors.js';
import { containerOf } from '../../src/media/ids.js';
import { MediaData, entityPath } from '../../src/media/mediaData.js';
import type { WireEntity } from '../../src/media/mediaData.js';
import { MediaServices } from '../../src/management/mediaServices.js';
import { ResourceGroups } from '../../src/management/resourceGroups.js';
import { ResourcePorts } from '../../src/management/resourcePorts.js';
import { Subscriptions } from '../../src/management/subscriptions.js';
import { openStore } from '../../src/store/database.js';
import type { Store } from '../../src/store/database.js';
import type { StoreEngine } from '../../src/store/engine.js';
import { testStoreLocation } from '../support/database.js';
import type { TestStoreLocation } from '../support/database.js';
import { JobState, MES, sleep, taskBody } from './jobsSupport.js';
import type { WorkerCommand, WorkerConfig } from './multiNodeWorker.js';

export { JobState };

const ORIGIN = 'https://localhost:8443';
const ACCOUNT = 'multinode';
const WORKER = join(import.meta.dirname, 'multiNodeWorker.ts');
export const PRESET = 'H264 Single Bitrate Low Quality SD for Android';

/**
 * ffmpeg as the nodes run it: each encode (its arguments name the encoder's private folder) is
 * logged with the wrapper's pid and the node's name, then held while MULTINODE_HOLD names a file
 * that does not exist (a task that stays Processing for as long as a test needs), then run.
 */
const WRAPPER = `#!/bin/sh
case "$*" in
  *.encoding-*)
    echo "$$ $MULTINODE_NAME" >> "$MULTINODE_LOG"
    if [ -n "$MULTINODE_HOLD" ]; then
      while [ ! -e "$MULTINODE_HOLD" ]; do sleep 0.05; done
    fi
    ;;
esac
exec "$MULTINODE_FFMPEG" "$@"
`;

export interface Cluster {
  engine: StoreEngine;
  location: TestStoreLocation;
  db: Store;
  /** The CLI's view of the account: no job runner here. */
  data: MediaData;
  session: ApiSession;
  account: string;
  /** One line per encode any node started: `<pid> <node>`. */
  ffmpegLog: string;
  wrapper: string;
  nodes: MediaNode[];
}

export async function openCluster(engine: StoreEngine): Promise<Cluster> {
  const location = await testStoreLocation(engine);
  const db = await openStore({
    dataDir: location.dataDir,
    ...(location.databaseUrl !== undefined ? { databaseUrl: location.databaseUrl } : {}),
  });
  const tenantId = randomUUID();
  await db
    .insertInto('tenants')
    .values({
      id: tenantId,
      kind: 'customer',
      domain: 'multinode.test',
      display_name: 'Nodes',
      created_at: 0,
    })
    .execute();
  const subscriptions = new Subscriptions(db);
  const subscription = await subscriptions.create(tenantId, 'Media');
  await new ResourceGroups(db).createOrUpdate({
    subscriptionId: subscription.subscriptionId,
    name: 'media-rg',
    location: 'westus',
  });
  const mediaServices = new MediaServices(db, new ResourcePorts(db));
  await mediaServices.createOrUpdate({
    subscriptionId: subscription.subscriptionId,
    resourceGroup: 'media-rg',
    name: ACCOUNT,
    location: 'westus',
  });
  const data = new MediaData({
    db,
    mediaDir: join(location.dataDir, 'media'),
    accounts: mediaServices,
    subscriptions,
  });
  const session = await data.session(ACCOUNT, ORIGIN);
  const wrapper = join(location.dataDir, 'ffmpeg-wrapper.sh');
  await writeFile(wrapper, WRAPPER);
  await chmod(wrapper, 0o700);
  const ffmpegLog = join(location.dataDir, 'ffmpeg-runs.log');
  await writeFile(ffmpegLog, '');
  return { engine, location, db, data, session, account: ACCOUNT, ffmpegLog, wrapper, nodes: [] };
}

/** Stops (or kills) every node still running, then removes the store. */
export async function closeCluster(cluster: Cluster | undefined): Promise<void> {
  if (!cluster) return;
  await Promise.allSettled(cluster.nodes.map((n) => n.stop()));
  await cluster.db.destroy();
  await cluster.location.dispose();
}

export interface NodeOptions {
  /** While set, every encode of this node waits for this file to exist (it never does). */
  hold?: string;
  leaseMs?: number;
}

/** A node process: job runner + API over the cluster's store. */
export class MediaNode {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;
  stderr = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(cluster: Cluster, name: string, options: NodeOptions = {}): Promise<MediaNode> {
    const tools = await locateFfmpeg();
    const config: WorkerConfig = {
      name,
      dataDir: cluster.location.dataDir,
      ...(cluster.location.databaseUrl !== undefined ? { databaseUrl: cluster.location.databaseUrl } : {}),
      account: cluster.account,
      origin: ORIGIN,
      leaseMs: options.leaseMs ?? 1500,
      heartbeatMs: 250,
      pollMs: 100,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      // A group of its own, so that a kill takes its ffmpeg with it, as a machine going down would.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: {
        ...process.env,
        MULTINODE_CONFIG: JSON.stringify(config),
        MULTINODE_NAME: name,
        MULTINODE_LOG: cluster.ffmpegLog,
        MULTINODE_FFMPEG: tools.ffmpeg,
        MULTINODE_HOLD: options.hold ?? '',
        TESSERA_FFMPEG: cluster.wrapper,
        TESSERA_FFPROBE: tools.ffprobe,
      },
    });
    const node = new MediaNode(name, child);
    cluster.nodes.push(node);
    child.stderr?.on('data', (chunk: Buffer) => {
      node.stderr = (node.stderr + chunk.toString()).slice(-20_000);
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
        if (message.ready) return resolve();
        const waiting = message.id === undefined ? undefined : node.pending.get(message.id);
        if (!waiting || message.id === undefined) return;
        node.pending.delete(message.id);
        if (message.error !== undefined) waiting.reject(new Error(`${name}: ${message.error}`));
        else waiting.resolve(message.result);
      });
      child.on('exit', (code, signal) => {
        node.exited = true;
        const error = new Error(`node ${name} exited (${code ?? signal}): ${node.stderr}`);
        reject(error);
        for (const waiting of node.pending.values()) waiting.reject(error);
        node.pending.clear();
      });
    });
    await ready;
    return node;
  }

  call<T>(command: WorkerCommand): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`node ${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, command });
    });
  }

  /** kill -9 of the node and everything it started (its ffmpeg). */
  async kill(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    process.kill(-this.child.pid, 'SIGKILL');
    await exited;
  }

  /** A clean stop (the runner closes, the store too); a node that does not stop is killed. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await Promise.race([this.call({ op: 'stop' }).catch(() => undefined), sleep(10_000)]);
    if (!this.exited) await this.kill();
    await exited;
  }
}

/** An asset with `clip` as its one file, uploaded as the CLI does it. */
export async function uploadInput(cluster: Cluster, clip: string): Promise<string> {
  const { data, session } = cluster;
  const asset = await data.entity(session, 'POST', 'Assets', { Name: 'input.mp4', Options: '0' });
  assert.ok(asset);
  const id = asset.Id as string;
  const copy = join(cluster.location.dataDir, `${randomUUID()}.mp4`);
  await copyFile(clip, copy);
  await data.blobs.adopt(containerOf(id), 'input.mp4', copy, 'video/mp4');
  await data.request(session, 'GET', `CreateFileInfos?assetid='${encodeURIComponent(id)}'`);
  return id;
}

/** A one-task job over `inputId`, submitted by the CLI (whose data has no runner: nodes run it). */
/**
 * A request that met another node's write to the account is refused whole with 503 ServerBusy and
 * Retry-After (nothing was written); the SDKs retry it, and so does this in-process caller.
 */
async function asAClientWould<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof MediaError && error.code === 'ServerBusy') || attempt >= 5) throw error;
      await sleep(50 * attempt);
    }
  }
}

export async function submitJob(
  cluster: Cluster,
  inputId: string,
  name: string,
): Promise<{ jobId: string; taskId: string; outputId: string }> {
  const { data, session } = cluster;
  const job = await asAClientWould(() =>
    data.entity(session, 'POST', 'Jobs', {
      Name: name,
      'InputMediaAssets@odata.bind': [`${session.urls.api}${entityPath('Assets', inputId)}`],
      Tasks: [
        {
          Name: name,
          Configuration: PRESET,
          MediaProcessorId: MES,
          TaskBody: taskBody(['JobInputAsset(0)'], [['JobOutputAsset(0)', `${name} output`]]),
        },
      ],
    }),
  );
  assert.ok(job);
  const jobId = job.Id as string;
  const [task] = await data.list(session, `${entityPath('Jobs', jobId)}/Tasks`);
  const [output] = await data.list(session, `${entityPath('Jobs', jobId)}/OutputMediaAssets`);
  assert.ok(task && output);
  return { jobId, taskId: task.Id as string, outputId: output.Id as string };
}

export async function entity(cluster: Cluster, set: string, id: string): Promise<WireEntity> {
  // The nodes' commits reach this process's view within its freshness window (100 ms, no
  // notifications on SQLite): read as of now, as a lookup that missed does.
  await cluster.data.entities.currentView(cluster.session.account.name);
  const found = await cluster.data.entity(cluster.session, 'GET', entityPath(set, id));
  assert.ok(found, `${set} ${id}`);
  return found;
}

/** The state codes of a task's HistoricalEvents, progress left out. */
export async function taskHistory(cluster: Cluster, taskId: string): Promise<string[]> {
  const task = await entity(cluster, 'Tasks', taskId);
  return (task.HistoricalEvents as Array<{ Code: string }>)
    .map((e) => e.Code)
    .filter((c) => c !== 'Progress');
}

/** Polls `probe` (every 50 ms, at most `timeoutMs`) until it returns a value other than undefined. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The job once it has ended (Finished, Error or Canceled). */
export function jobEnded(cluster: Cluster, jobId: string, timeoutMs?: number): Promise<WireEntity> {
  return eventually(
    `job ${jobId} to end`,
    async () => {
      const job = await entity(cluster, 'Jobs', jobId);
      const state = job.State as number;
      return state === JobState.Finished || state === JobState.Error || state === JobState.Canceled
        ? job
        : undefined;
    },
    timeoutMs,
  );
}

/** Every encode started so far, by any node. */
export async function ffmpegRuns(cluster: Cluster): Promise<Array<{ pid: number; node: string }>> {
  const text = await readFile(cluster.ffmpegLog, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [pid = '', node = ''] = l.split(' ');
      return { pid: Number(pid), node };
    });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
