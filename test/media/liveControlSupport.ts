import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { LiveIngestError } from '../../src/media/live/liveIngest.js';
import type {
  ChannelEndpoints,
  ChannelSpec,
  LiveIngest,
  ProgramSpec,
  RecordedFile,
} from '../../src/media/live/liveIngest.js';
import type { CliResult } from '../cli/support.js';
import { runCli } from '../cli/support.js';
import type { TestServerOptions } from '../support/server.js';
import { startTestServer, storeArgs } from '../support/server.js';
import type { Caller, Reply } from './protocolSupport.js';
import { call, keyOf } from './protocolSupport.js';
import type { MediaFixture } from './support.js';
import { mediaCaller } from './support.js';

/**
 * The live control plane under test: a test server whose media slice runs its channels on a
 * double of the live pipeline (`FakeIngest`, given as startServer's `liveIngest`). Everything
 * else is the server's own: the API, the one LiveSupervisor on the store, the streaming
 * endpoint's gate.
 */

interface Gate {
  reached: Promise<void>;
  release(): void;
}

type Method = Exclude<keyof LiveIngest, 'isIngesting'>;

/** Files a stopped program leaves, as the pipeline reports them. */
export const RECORDED: readonly RecordedFile[] = [
  { name: 'program.ism', size: 812, mimeType: 'application/vnd.ms-sstr+xml', isPrimary: true },
  { name: 'video_3000000.mp4', size: 245_760, mimeType: 'video/mp4', isPrimary: false },
];

/**
 * The pipeline's contract, with nothing behind it: it records every call, and a test can make
 * the next call of a method fail (`failNext`), every start of a channel fail (`refused`), or a
 * call wait until released (`hold`).
 */
export class FakeIngest implements LiveIngest {
  readonly calls: Array<{ method: Method; args: unknown[] }> = [];
  readonly listening = new Set<string>();
  readonly recording = new Set<string>();
  /** Channels forgotten (deleted): what the pipeline kept of them is gone. */
  readonly forgotten = new Set<string>();
  /** Channels whose every start fails with this error. */
  readonly refused = new Map<string, Error>();
  closes = 0;
  private readonly failures = new Map<Method, Error>();
  private readonly holds = new Map<Method, { reached: () => void; released: Promise<void> }>();
  /** Releases of every hold: closing the pipeline lets held calls go on, as a real close ends them. */
  private readonly releases = new Set<() => void>();

  failNext(method: Method, error: Error): void {
    this.failures.set(method, error);
  }

  hold(method: Method): Gate {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(method, { reached, released });
    this.releases.add(release);
    return { reached: reachedPromise, release };
  }

  called(method: Method): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private async step(method: Method, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    const hold = this.holds.get(method);
    if (hold) {
      this.holds.delete(method);
      hold.reached();
      await hold.released;
    }
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
  }

  async startChannel(spec: ChannelSpec, origin: string): Promise<ChannelEndpoints> {
    await this.step('startChannel', [spec, origin]);
    const refusal = this.refused.get(spec.channelId);
    if (refusal) throw refusal;
    if (this.listening.has(spec.channelId))
      throw new LiveIngestError('InvalidOperation', 'the channel listens already');
    this.listening.add(spec.channelId);
    const guid = spec.channelId.slice('nb:chid:UUID:'.length);
    return {
      input: [{ Protocol: 'RTMP', Url: `rtmp://127.0.0.1:19350/live/${guid}` }],
      preview: [
        {
          Protocol: 'FragmentedMP4',
          Url: `${origin}/media/${spec.accountName}/streaming/${guid}/preview.ism/manifest`,
        },
      ],
    };
  }

  async stopChannel(accountName: string, channelId: string): Promise<void> {
    await this.step('stopChannel', [accountName, channelId]);
    this.listening.delete(channelId);
  }

  async forgetChannel(accountName: string, channelId: string): Promise<void> {
    await this.step('forgetChannel', [accountName, channelId]);
    if (this.listening.has(channelId))
      throw new LiveIngestError('InvalidOperation', 'the channel is running: stop it first');
    this.forgotten.add(channelId);
  }

  async resetChannel(accountName: string, channelId: string): Promise<void> {
    await this.step('resetChannel', [accountName, channelId]);
  }

  async showSlate(
    accountName: string,
    channelId: string,
    slate: { durationSeconds: number; assetId: string | null },
  ): Promise<void> {
    await this.step('showSlate', [accountName, channelId, slate]);
  }

  async hideSlate(accountName: string, channelId: string): Promise<void> {
    await this.step('hideSlate', [accountName, channelId]);
  }

  async startAdvertisement(
    accountName: string,
    channelId: string,
    cue: { cueId: number; durationSeconds: number; showSlate: boolean },
  ): Promise<void> {
    await this.step('startAdvertisement', [accountName, channelId, cue]);
  }

  async endAdvertisement(accountName: string, channelId: string, cue: { cueId: number }): Promise<void> {
    await this.step('endAdvertisement', [accountName, channelId, cue]);
  }

  async startProgram(spec: ProgramSpec): Promise<void> {
    await this.step('startProgram', [spec]);
    if (!this.listening.has(spec.channelId))
      throw new LiveIngestError('InvalidOperation', 'the channel does not listen');
    this.recording.add(spec.programId);
  }

  async stopProgram(accountName: string, programId: string): Promise<RecordedFile[]> {
    await this.step('stopProgram', [accountName, programId]);
    if (!this.recording.delete(programId))
      throw new LiveIngestError('InvalidOperation', 'the program does not record');
    return [...RECORDED];
  }

  isIngesting(): boolean {
    return false;
  }

  async close(): Promise<void> {
    this.calls.push({ method: 'close', args: [] });
    this.closes += 1;
    for (const release of this.releases) release();
    this.listening.clear();
    this.recording.clear();
  }
}

export interface LiveServer {
  /** A Contributor of the account, calling the server's API (`c.f.api`). */
  c: Caller;
  /** The pipeline's double the server runs its channels on (the current one, after a restart). */
  ingest: FakeIngest;
  /** `<origin>/media/<account>/streaming`: the streaming endpoint. */
  streaming: string;
  /** Stops the server and starts it again on the same data folder, on `next` (a new process's pipeline). */
  restart(next?: FakeIngest): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A test server whose live channels run on a `FakeIngest` (startServer's `liveIngest`): the API,
 * the supervisor and the streaming endpoint's gate are the server's own, as in production; one
 * Media Services account and a Contributor's token.
 */
export async function startLiveServer(account = 'media1', ingest = new FakeIngest()): Promise<LiveServer> {
  const options: TestServerOptions = { liveIngest: ingest };
  const t = await startTestServer(options);
  const bootstrap = t.server.bootstrap;
  if (!bootstrap) throw new Error('the test server must have bootstrapped');
  const { account: created } = await t.server.tessera.mediaServices.createOrUpdate({
    subscriptionId: bootstrap.subscription.subscriptionId,
    resourceGroup: bootstrap.resourceGroup.name,
    name: account,
    location: 'westus',
  });
  const f: MediaFixture = { t, account, scope: created.id, api: `${t.origin}/media/${account}/api/` };
  const { token } = await mediaCaller(f, { displayName: `contributor-${randomUUID()}`, role: 'Contributor' });
  const server: LiveServer = {
    c: { f, token },
    ingest,
    streaming: `${t.origin}/media/${account}/streaming`,
    async restart(next = new FakeIngest()) {
      options.liveIngest = next;
      server.ingest = next;
      await t.restart();
    },
    stop: () => t.stop(),
  };
  return server;
}

/**
 * `tessera media <words> <values…> -a <account>` run in this process on the server's store (as
 * another process would run it), printing URLs on the server's origin (`--server`). The test
 * server writes no server.json, so the CLI does not know that a server runs: pass `--wait`.
 */
export const mediaCli =
  (f: MediaFixture) =>
  (words: string, ...values: string[]): Promise<CliResult> =>
    runCli([
      'media',
      ...words.split(' ').filter(Boolean),
      ...values,
      '-a',
      f.account,
      '--server',
      f.t.origin,
      ...storeArgs(f.t),
    ]);

/** Polls `check` (every 20 ms, bounded) until it returns something other than undefined. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  limitMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A 202 of a long-running call: its `operation-id`. */
export function operationIdOf(reply: Reply): string {
  assert.equal(reply.status, 202, reply.text);
  const id = reply.headers.get('operation-id');
  assert.ok(id, 'a 202 carries operation-id');
  assert.match(id, /^nb:opid:UUID:[0-9a-f-]{36}$/);
  return id;
}

export interface Operation {
  Id: string;
  State: 'InProgress' | 'Succeeded' | 'Failed';
  TargetEntityId: string;
  ErrorCode: string | null;
  ErrorMessage: string | null;
}

/** Polls `Operations('…')` as the SDKs do until it is no longer InProgress (bounded). */
export async function settledOperation(
  c: Caller,
  api: string,
  id: string,
  limitMs = 10_000,
): Promise<Operation> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const reply = await call<Operation>(c, 'GET', keyOf('Operations', id), { api });
    assert.equal(reply.status, 200, reply.text);
    if (reply.json.State !== 'InProgress') return reply.json;
    assert.ok(Date.now() < deadline, `operation ${id} is still InProgress`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A long-running call that must end Succeeded; returns the operation. */
export async function succeeds(c: Caller, api: string, reply: Reply): Promise<Operation> {
  const operation = await settledOperation(c, api, operationIdOf(reply));
  assert.equal(operation.State, 'Succeeded', JSON.stringify(operation));
  assert.equal(operation.ErrorCode, null);
  return operation;
}
