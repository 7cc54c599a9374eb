import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { accountsWithLive } from '../../src/media/live/control/liveAccounts.js';
import { LiveSupervisor } from '../../src/media/live/control/supervisor.js';
import { LiveIngestError } from '../../src/media/live/liveIngest.js';
import type { ChannelSpec, ProgramSpec } from '../../src/media/live/liveIngest.js';
import { MediaEntities } from '../../src/media/persistence/mediaEntities.js';
import { Tessera } from '../../src/tessera.js';
import type { CliFolder, CliResult } from '../cli/support.js';
import { cliFolder } from '../cli/support.js';
import type { Caller, CallOptions, Entity, Reply } from './protocolSupport.js';
import { call, createAsset, keyOf } from './protocolSupport.js';
import type { LiveServer } from './liveControlSupport.js';
import {
  FakeIngest,
  mediaCli,
  operationIdOf,
  settledOperation,
  startLiveServer,
  succeeds,
  until,
} from './liveControlSupport.js';

const channelBody = (name: string, extra: Record<string, unknown> = {}) => ({
  Name: name,
  Input: { StreamingProtocol: 'RTMP' },
  ...extra,
});

/** The operation a CLI run recorded without a server to carry it out, as its warning names it. */
function recordedOperation(result: CliResult): string {
  assert.equal(result.code, 0, result.stderr);
  const warning =
    /^WARNING: No server runs on this data folder: .* Operation (nb:opid:UUID:[0-9a-f-]{36})\./.exec(
      result.stderr,
    );
  assert.ok(warning, result.stderr);
  return warning[1]!;
}

describe('Media Services v2 live: a server restart and work recorded by another process', () => {
  let h: LiveServer;
  let c: Caller;
  const live = <T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> =>
    call<T>(c, method, path, options);
  const get = async (set: string, id: string): Promise<Entity> => {
    const reply = await live<Entity>('GET', keyOf(set, id));
    assert.equal(reply.status, 200, reply.text);
    return reply.json;
  };
  const ok = (reply: Reply) => succeeds(c, c.f.api, reply);
  const createLive = async (set: string, body: unknown): Promise<Entity> => {
    const reply = await live<Entity>('POST', set, { body });
    await ok(reply);
    return reply.json;
  };
  const operation = async (id: string) =>
    (await live<{ State: string; ErrorCode: string | null }>('GET', keyOf('Operations', id))).json;

  before(async () => {
    h = await startLiveServer();
    c = h.c;
  });
  after(async () => {
    await h?.stop();
  });

  test('Running channels listen again, interrupted work ends consistently, pending work is done', async () => {
    const first = h.ingest;
    // alpha: Running, recording; gamma: Running, its program stopping when the server stops;
    // epsilon: Running, but will not listen again; beta: starting when the server stops.
    const alpha = await createLive('Channels', channelBody('alpha', { EncodingType: 'Standard' }));
    const gamma = await createLive('Channels', channelBody('gamma'));
    const epsilon = await createLive('Channels', channelBody('epsilon'));
    const beta = await createLive('Channels', channelBody('beta'));
    const delta = await createLive('Channels', channelBody('delta'));
    for (const channel of [alpha, gamma, epsilon])
      await ok(await live('POST', `${keyOf('Channels', channel.Id)}/Start`));
    const program = async (name: string, channel: Entity) => {
      const created = await createLive('Programs', {
        Name: name,
        ChannelId: channel.Id,
        AssetId: (await createAsset(c, name)).Id,
        ArchiveWindowLength: 'PT30M',
      });
      await ok(await live('POST', `${keyOf('Programs', created.Id)}/Start`));
      return created;
    };
    const rec = await program('rec', alpha);
    const tail = await program('tail', gamma);
    const lost = await program('lost', epsilon);

    const slateHeld = first.hold('showSlate');
    const slate = operationIdOf(
      await live('POST', `${keyOf('Channels', alpha.Id)}/ShowSlate`, { body: { duration: 'PT1M' } }),
    );
    const startHeld = first.hold('startChannel');
    const betaStart = operationIdOf(await live('POST', `${keyOf('Channels', beta.Id)}/Start`));
    const stopHeld = first.hold('stopProgram');
    const tailStop = operationIdOf(await live('POST', `${keyOf('Programs', tail.Id)}/Stop`));
    await Promise.all([slateHeld.reached, startHeld.reached, stopHeld.reached]);

    const origin = (await live<{ value: Entity[] }>('GET', 'StreamingEndpoints')).json.value[0];
    assert.ok(origin);

    // The server stops: the pipeline closes; what was recorded stays recorded.
    await c.f.t.server.close();
    assert.equal(first.closes, 1);

    // Meanwhile the CLI, with no server on the data folder, records work and says who will do it.
    const cli = mediaCli(c.f);
    const deltaRun = await cli('channel start -n delta');
    const deltaStart = recordedOperation(deltaRun);
    assert.equal((JSON.parse(deltaRun.stdout) as { resourceState: string }).resourceState, 'Starting');
    const originStop = recordedOperation(await cli('streaming-endpoint stop'));

    // The next start, on a new process's pipeline; the start-up scan's work runs on after it listens.
    const second = new FakeIngest();
    second.refused.set(epsilon.Id, new LiveIngestError('InsufficientCapacity', 'no port'));
    await h.restart(second);
    await until('the start-up work to end', async () => {
      const operations = (await live<{ value: Entity[] }>('GET', 'Operations')).json.value;
      const lostProgram = await get('Programs', lost.Id);
      return operations.every((o) => o.State !== 'InProgress') &&
        lostProgram.State === 'Stopped' &&
        second.called('startChannel').length === 5 &&
        second.called('startProgram').length > 0
        ? true
        : undefined;
    });

    const state = async (set: string, id: string) => (await get(set, id)).State;
    assert.equal(await state('Channels', alpha.Id), 'Running');
    assert.equal(await state('Programs', rec.Id), 'Running');
    assert.equal(await state('Channels', gamma.Id), 'Running');
    assert.equal(await state('Channels', beta.Id), 'Running');
    assert.equal(await state('Channels', delta.Id), 'Running');
    assert.equal(
      await state('Channels', epsilon.Id),
      'Stopped',
      'a channel that cannot listen again is Stopped',
    );
    assert.equal(await state('Programs', lost.Id), 'Stopped');
    assert.equal(await state('Programs', tail.Id), 'Stopped');
    assert.equal(await state('StreamingEndpoints', origin.Id), 'Stopped');

    const started = second.called('startChannel').map(([spec]) => (spec as ChannelSpec).name);
    assert.deepEqual(started.sort(), ['alpha', 'beta', 'delta', 'epsilon', 'gamma']);
    assert.deepEqual(
      second.called('startProgram').map(([spec]) => (spec as ProgramSpec).programId),
      [rec.Id],
    );
    assert.equal(second.called('showSlate').length, 0, 'an interrupted slate is not shown again');

    assert.deepEqual(await operation(betaStart), await settledOperation(c, c.f.api, betaStart));
    assert.equal((await operation(betaStart)).State, 'Succeeded');
    assert.equal((await operation(deltaStart)).State, 'Succeeded');
    assert.equal((await operation(originStop)).State, 'Succeeded');
    assert.deepEqual(
      [(await operation(slate)).State, (await operation(slate)).ErrorCode],
      ['Failed', 'InternalError'],
    );
    assert.deepEqual(
      [(await operation(tailStop)).State, (await operation(tailStop)).ErrorCode],
      ['Failed', 'InternalError'],
    );
    const betaChannel = await get('Channels', beta.Id);
    assert.match(JSON.stringify(betaChannel.Input), /rtmp:\/\/127\.0\.0\.1:19350\/live\//);

    // What the restart left works as before.
    await ok(await live('POST', `${keyOf('Programs', rec.Id)}/Stop`));
    await ok(await live('POST', `${keyOf('Channels', alpha.Id)}/ShowSlate`, { body: { duration: 'PT1M' } }));
    await ok(await live('POST', `${keyOf('StreamingEndpoints', origin.Id)}/Start`));
  });
});

/**
 * The server's supervisor gives the pipeline two minutes a call; this one, the only supervisor on
 * a data folder no server runs on, gives it 200 ms. The CLI records the work and waits for it.
 */
describe('Media Services v2 live: a pipeline that does not answer in time', () => {
  let f: CliFolder;
  let tessera: Tessera;
  let supervisor: LiveSupervisor;
  const ingest = new FakeIngest();
  const media = (words: string) => f.cli(`media ${words} -a slowlive`);

  before(async () => {
    f = cliFolder();
    await f.json('group create -n live-rg -l westus');
    await f.json('media account create -n slowlive -g live-rg -l westus');
    tessera = await Tessera.open({ dataDir: f.dataDir });
    supervisor = new LiveSupervisor({
      entities: new MediaEntities(tessera.db),
      ingest,
      accountsWithLive: () => accountsWithLive(tessera.db),
      origin: () => 'https://localhost:8443',
      log: pino({ level: 'silent' }),
      pollMs: 50,
      callTimeoutMs: 200,
    });
    await supervisor.start();
  });
  after(async () => {
    await supervisor?.close();
    await tessera?.close();
    f?.remove();
  });

  test('the operation fails with Timeout, the channel is Stopped and no listener is left', async () => {
    const created = await media('channel create -n slow');
    assert.equal(created.code, 0, created.stderr);
    const id = (JSON.parse(created.stdout) as { v2Id: string }).v2Id;
    ingest.hold('startChannel');
    const start = await media('channel start -n slow --wait');
    assert.equal(start.code, 1, start.stdout);
    assert.match(start.stderr, /^ERROR: \(Timeout\) The live pipeline did not answer within/);
    const shown = await media('channel show -n slow');
    assert.equal((JSON.parse(shown.stdout) as { resourceState: string }).resourceState, 'Stopped');
    assert.deepEqual(ingest.called('stopChannel').at(-1), ['slowlive', id]);
  });
});
