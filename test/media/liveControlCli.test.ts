import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LiveIngestError } from '../../src/media/live/liveIngest.js';
import type { ChannelSpec } from '../../src/media/live/liveIngest.js';
import type { CliResult } from '../cli/support.js';
import type { LiveServer } from './liveControlSupport.js';
import { mediaCli, startLiveServer, until } from './liveControlSupport.js';

interface AzLiveEvent {
  id: string;
  name: string;
  resourceState: string;
  type: string;
  input: {
    streamingProtocol: string;
    endpoints: Array<{ protocol: string; url: string }>;
    accessControl: {
      ip: { allow: Array<{ address: string; name: string; subnetPrefixLength: number | null }> };
    };
  };
  preview: { endpoints: Array<{ protocol: string; url: string }> };
  encoding: { encodingType: string; presetName: string | null };
  v2Id: string;
}

interface AzLiveOutput {
  id: string;
  name: string;
  assetName: string;
  archiveWindowLength: string;
  resourceState: string;
  v2Id: string;
}

interface AzStreamingEndpoint {
  name: string;
  resourceState: string;
  scaleUnits: number;
  hostName: string;
}

/**
 * `tessera media channel|program|streaming-endpoint`: the CLI records work on the data folder of a
 * running server (whose channels run on a double of the pipeline), and the server's live
 * supervisor carries it out, found by polling, while the CLI waits for the operation.
 */
describe('tessera media channel, program and streaming-endpoint', () => {
  let h: LiveServer;
  let media: ReturnType<typeof mediaCli>;
  let accountId: string;
  const json = async <T>(words: string, ...values: string[]): Promise<T> => {
    const result = await media(words, ...values);
    assert.equal(result.code, 0, `tessera media ${words}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
  const refused = (result: CliResult, code: number, pattern: RegExp) => {
    assert.equal(result.code, code, result.stdout + result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^ERROR: /);
    assert.match(result.stderr, pattern);
  };

  before(async () => {
    h = await startLiveServer('clilive');
    media = mediaCli(h.c.f);
    accountId = h.c.f.scope;
  });
  after(async () => {
    await h?.stop();
  });

  test('channels: create, start (waiting, with the ingest URL), show, list; refusals', async () => {
    const created = await json<AzLiveEvent>(
      'channel create -n studio --ips 127.0.0.1 --ips 10.0.0.0/8 --description',
      'the studio',
    );
    assert.equal(created.id, `${accountId}/liveEvents/studio`);
    assert.equal(created.type, 'Microsoft.Media/mediaservices/liveEvents');
    assert.equal(created.resourceState, 'Stopped');
    assert.equal(created.input.streamingProtocol, 'RTMP');
    assert.deepEqual(created.input.accessControl.ip.allow, [
      { address: '127.0.0.1', name: '127.0.0.1', subnetPrefixLength: null },
      { address: '10.0.0.0', name: '10.0.0.0/8', subnetPrefixLength: 8 },
    ]);
    assert.deepEqual(created.encoding, { encodingType: 'None', presetName: null });

    const start = await media('channel start -n studio --wait');
    assert.equal(start.code, 0, start.stderr);
    const running = JSON.parse(start.stdout) as AzLiveEvent;
    assert.equal(running.resourceState, 'Running');
    const url = running.input.endpoints[0]?.url ?? '';
    assert.match(url, /^rtmp:\/\//);
    assert.ok(start.stderr.includes(`Ingest URL (RTMP): ${url}`), start.stderr);
    const [spec, origin] = h.ingest.called('startChannel').at(-1) as [ChannelSpec, string];
    assert.equal(spec.name, 'studio');
    assert.equal(origin, h.c.f.t.origin, 'published URLs are on the origin the CLI was given');
    const preview = running.preview.endpoints[0]?.url ?? '';
    assert.ok(preview.startsWith(`${h.c.f.t.origin}/media/clilive/`), preview);
    assert.ok(start.stderr.includes(`Preview URL: ${preview}`), start.stderr);
    assert.deepEqual(await json<AzLiveEvent>('channel show -n', running.v2Id), running);
    assert.deepEqual(
      (await json<AzLiveEvent[]>('channel list')).map((c) => c.name),
      ['studio'],
    );

    refused(await media('channel start -n studio --wait'), 1, /Running: it must be Stopped to start/);
    refused(await media('channel create -n bad_name'), 1, /invalid: 1 to 32 letters/);
    refused(await media('channel create -n STUDIO'), 1, /already exists/);
    refused(await media('channel create -n x --ips 999.1.1.1'), 2, /AllowAll or an IPv4\/IPv6 address/);
    refused(await media('channel create -n x --streaming-protocol SRT'), 2, /Allowed choices/);
    refused(await media('channel show -n nowhere'), 1, /channel 'nowhere' was not found/);
  });

  test('programs record on the running channel; the channel stops once they have', async () => {
    const program = await json<AzLiveOutput>('program create --channel studio -n show');
    assert.equal(program.id, `${accountId}/liveEvents/studio/liveOutputs/show`);
    assert.equal(program.assetName, 'studio-show');
    assert.equal(program.archiveWindowLength, 'PT1H');
    assert.equal(program.resourceState, 'Stopped');
    refused(
      await media('program create --channel studio -n late --archive-window-length PT1M'),
      1,
      /PT5M to PT25H/,
    );
    const assets = await json<Array<{ name: string }>>('asset list');
    assert.deepEqual(
      assets.map((a) => a.name),
      ['studio-show'],
      'a refused program leaves no asset',
    );

    assert.equal(
      (await json<AzLiveOutput>('program start --channel studio -n show --wait')).resourceState,
      'Running',
    );
    refused(await media('channel stop -n studio --wait'), 1, /programs that are not stopped \(show\)/);
    assert.equal(
      (await json<AzLiveOutput>('program stop --channel studio -n show --wait')).resourceState,
      'Stopped',
    );
    assert.deepEqual(h.ingest.called('stopProgram').at(-1), ['clilive', program.v2Id]);

    assert.equal((await json<AzLiveEvent>('channel stop -n studio --wait')).resourceState, 'Stopped');
    refused(await media('channel delete -n studio'), 1, /delete them before the channel/);
    assert.equal((await media('program delete --channel studio -n show')).code, 0);
  });

  test('a failed operation is the command error, with its code', async () => {
    h.ingest.failNext('startChannel', new LiveIngestError('InsufficientCapacity', 'No port is free.'));
    refused(await media('channel start -n studio --wait'), 1, /\(InsufficientCapacity\) No port is free\./);
    assert.equal((await json<AzLiveEvent>('channel show -n studio')).resourceState, 'Stopped');
  });

  test('a deleted channel is forgotten by the pipeline', async () => {
    const spare = await json<AzLiveEvent>('channel create -n spare');
    const deleted = await media('channel delete -n spare');
    assert.equal(deleted.code, 0, deleted.stderr);
    refused(await media('channel show -n spare'), 1, /channel 'spare' was not found/);
    await until('the pipeline to forget the channel', () => h.ingest.forgotten.has(spare.v2Id) || undefined);
    assert.deepEqual(h.ingest.called('forgetChannel'), [['clilive', spare.v2Id]]);
  });

  test('the default streaming endpoint stops, scales and starts', async () => {
    const stopped = await json<AzStreamingEndpoint>('streaming-endpoint stop --wait');
    assert.equal(stopped.name, 'default');
    assert.equal(stopped.resourceState, 'Stopped');
    assert.equal(
      (await json<AzStreamingEndpoint>('streaming-endpoint scale --scale-units 2 --wait')).scaleUnits,
      2,
    );
    const started = await json<AzStreamingEndpoint>('streaming-endpoint start -n default --wait');
    assert.equal(started.resourceState, 'Running');
    assert.equal(started.scaleUnits, 2);
    assert.deepEqual(
      (await json<AzStreamingEndpoint[]>('streaming-endpoint list')).map((e) => e.resourceState),
      ['Running'],
    );
    refused(await media('streaming-endpoint scale --scale-units 11 --wait'), 1, /0 to 10/);
  });

  test('without a server the CLI records the work, says so, and a server finishes it later', async () => {
    await h.c.f.t.server.close();
    const start = await media('channel start -n studio');
    assert.equal(start.code, 0, start.stderr);
    assert.equal((JSON.parse(start.stdout) as AzLiveEvent).resourceState, 'Starting');
    assert.match(
      start.stderr,
      /^WARNING: No server runs on this data folder: starting the channel completes once one does/,
    );

    await h.restart();
    await until(
      'the server to start the channel',
      async () =>
        (await json<AzLiveEvent>('channel show -n studio')).resourceState === 'Running' || undefined,
    );
    assert.deepEqual(
      h.ingest.called('startChannel').map(([spec]) => (spec as ChannelSpec).name),
      ['studio'],
    );
  });
});
