import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { StoreLiveLease } from '../../src/media/live/control/liveLease.js';
import type { ChannelSpec, ProgramSpec } from '../../src/media/live/liveIngest.js';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import { databaseNowMs } from '../../src/media/persistence/mediaTables.js';
import { FakeIngest, RECORDED } from '../media/liveControlSupport.js';
import { pushTestPattern, segmentCount, stopAllPushes } from '../media/livePipelineSupport.js';
import type { Push } from '../media/livePipelineSupport.js';
import type { Entity } from '../media/protocolSupport.js';
import { keyOf } from '../media/protocolSupport.js';
import type { MediaFixture } from '../media/support.js';
import { mediaCaller } from '../media/support.js';
import { multinodeSkip, startCluster, until } from './support.js';
import type { Cluster, Node } from './support.js';

/**
 * Live streaming on two nodes behind one origin, on one PostgreSQL database and one media
 * folder. One node at a time runs the live pipeline (the live lease's holder); the other records
 * work and leaves it to the holder, and takes over when the holder is gone. The first suite runs
 * each node's channels on a double of the pipeline (it counts the calls); the second runs
 * Tessera's pipeline with ffmpeg pushing, and plays the holder's output through the other node.
 */

interface Api {
  call<T = Entity>(
    node: Node,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string; json: T; headers: Headers }>;
  /** A long-running call through `node`: its operation, polled through `node` until it ends. */
  settle(
    node: Node,
    reply: { status: number; text: string; headers: Headers },
    limitMs?: number,
  ): Promise<Operation>;
}

interface Operation {
  Id: string;
  State: string;
  ErrorCode: string | null;
  ErrorMessage: string | null;
}

/** An account on the cluster and a Contributor's token, with calls sent to one node or the other. */
async function liveAccount(cluster: Cluster, account: string): Promise<Api & { f: MediaFixture }> {
  const first = cluster.nodes[0]!;
  const bootstrap = first.t.server.bootstrap;
  assert.ok(bootstrap, 'the first node bootstraps');
  const { account: created } = await first.t.server.tessera.mediaServices.createOrUpdate({
    subscriptionId: bootstrap.subscription.subscriptionId,
    resourceGroup: bootstrap.resourceGroup.name,
    name: account,
    location: 'westus',
  });
  const f: MediaFixture = {
    t: first.t,
    account,
    scope: created.id,
    api: `${first.t.origin}/media/${account}/api/`,
  };
  const { token } = await mediaCaller(f, { displayName: `live-${randomUUID()}`, role: 'Contributor' });
  const call: Api['call'] = async (node, method, path, body) => {
    const response = await node.fetch(`${f.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-ms-version': '2.19',
        accept: 'application/json',
        dataserviceversion: '3.0',
        maxdataserviceversion: '3.0',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    assert.notEqual(response.status, 500, `${method} ${path}: ${text}`);
    const json = (
      text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined
    ) as never;
    return { status: response.status, text, json, headers: response.headers };
  };
  const settle: Api['settle'] = async (node, reply, limitMs = 15_000) => {
    assert.equal(reply.status, 202, reply.text);
    const id = reply.headers.get('operation-id');
    assert.ok(id, 'a 202 carries operation-id');
    let operation: Operation | undefined;
    await until(
      `operation ${id} to end`,
      async () => {
        const got = await call<Operation>(node, 'GET', keyOf('Operations', id));
        assert.equal(got.status, 200, got.text);
        operation = got.json;
        return operation.State !== 'InProgress';
      },
      limitMs,
      50,
    );
    return operation!;
  };
  return { f, call, settle };
}

const succeeded = (operation: Operation) =>
  assert.deepEqual([operation.State, operation.ErrorCode], ['Succeeded', null], JSON.stringify(operation));

describe(
  'live streaming on two nodes: one runs the pipeline, the other takes over',
  { skip: multinodeSkip() },
  () => {
    let cluster: Cluster;
    let a: Node;
    let b: Node;
    let api: Api;
    const ingestA = new FakeIngest();
    const ingestB = new FakeIngest();
    let channel: Entity;
    let program: Entity;

    before(async () => {
      // A starts first: it takes the free lease at start; B finds it held.
      cluster = await startCluster(2, { liveIngest: [ingestA, ingestB] });
      [a, b] = cluster.nodes as [Node, Node];
      api = await liveAccount(cluster, 'livenodes');
    });
    after(async () => {
      await cluster?.stop();
    });

    const startsOf = (ingest: FakeIngest, id: string) =>
      ingest.called('startChannel').filter(([spec]) => (spec as ChannelSpec).channelId === id).length;
    const recordingsOf = (ingest: FakeIngest, id: string) =>
      ingest.called('startProgram').filter(([spec]) => (spec as ProgramSpec).programId === id).length;

    test("work recorded through B is done once, by the holder A's pipeline", async () => {
      const created = await api.call(b, 'POST', 'Channels', {
        Name: 'studio',
        Input: { StreamingProtocol: 'RTMP' },
      });
      succeeded(await api.settle(b, created));
      channel = created.json;
      succeeded(await api.settle(b, await api.call(b, 'POST', `${keyOf('Channels', channel.Id)}/Start`)));
      const running = (await api.call(b, 'GET', keyOf('Channels', channel.Id))).json;
      assert.equal(running.State, 'Running');
      assert.match(JSON.stringify(running.Input), /rtmp:\/\/127\.0\.0\.1:19350\/live\//);

      const asset = await api.call(b, 'POST', 'Assets', { Name: 'recording', Options: '0' });
      assert.equal(asset.status, 201, asset.text);
      const programCreated = await api.call(b, 'POST', 'Programs', {
        Name: 'show',
        ChannelId: channel.Id,
        AssetId: asset.json.Id,
        ArchiveWindowLength: 'PT30M',
      });
      succeeded(await api.settle(b, programCreated));
      program = programCreated.json;
      // Started through A this time: either node takes the call.
      succeeded(await api.settle(a, await api.call(a, 'POST', `${keyOf('Programs', program.Id)}/Start`)));

      // Past a poll and a renewal on both nodes: nothing more is started, and B's pipeline saw nothing.
      await sleep(2500);
      assert.equal(startsOf(ingestA, channel.Id), 1);
      assert.equal(recordingsOf(ingestA, program.Id), 1);
      assert.deepEqual(ingestB.calls, [], 'the node without the lease runs nothing');
      const holder = await new StoreLiveLease(b.t.server.tessera.db).holder();
      assert.equal(holder?.live, true);
    });

    test('the holder gone (its lease left to expire), B takes over: channels listen again, work ends Succeeded', async () => {
      const db = b.t.server.tessera.db;
      // A dies holding the lease: the row now names a node that no longer renews, for 4 s more.
      // A's next renewal is refused, and A stops its pipeline at once.
      await sql`update live_lease set node = 'killed-node', term = term + 1, expires_at = ${databaseNowMs(db)} + 4000`.execute(
        db,
      );
      await until('A to stop its pipeline', () => ingestA.closes === 1, 6000, 20);
      await a.t.server.close();

      // Work recorded while no node runs the pipeline waits for the next holder.
      const second = await api.call(b, 'POST', 'Channels', {
        Name: 'second',
        Input: { StreamingProtocol: 'RTMP' },
      });
      succeeded(await api.settle(b, second));
      const secondStart = await api.call(b, 'POST', `${keyOf('Channels', second.json.Id)}/Start`);

      succeeded(await api.settle(b, secondStart, 20_000));
      await until(
        'B to restart the channel and its program',
        () => recordingsOf(ingestB, program.Id) === 1,
        10_000,
        20,
      );
      assert.equal(startsOf(ingestB, channel.Id), 1, 'the channel listens again on B, once');
      assert.equal(startsOf(ingestB, second.json.Id), 1);
      assert.equal((await api.call(b, 'GET', keyOf('Channels', channel.Id))).json.State, 'Running');
      assert.equal((await api.call(b, 'GET', keyOf('Programs', program.Id))).json.State, 'Running');
      const holder = await new StoreLiveLease(db).holder();
      assert.ok(holder?.live && holder.node !== 'killed-node', JSON.stringify(holder));

      // What B took over works as before: the program stops and its recording is recorded.
      succeeded(await api.settle(b, await api.call(b, 'POST', `${keyOf('Programs', program.Id)}/Stop`)));
      const files = await api.call<{ value: Entity[] }>(
        b,
        'GET',
        `${keyOf('Assets', String(program.AssetId))}/Files`,
      );
      assert.deepEqual(
        files.json.value.map((file) => file.Name).sort(),
        RECORDED.map((file) => file.name).sort(),
      );
      succeeded(await api.settle(b, await api.call(b, 'POST', `${keyOf('Channels', channel.Id)}/Stop`)));
      assert.equal(startsOf(ingestA, channel.Id), 1, "A's pipeline, closed, was never called again");
    });

    test("a node serving the holder's snapshot: stale is 503 with Retry-After, the allow list holds, no file outside", async () => {
      // Snapshots as a holder writes them (liveMirror.ts), for channels this test makes up.
      const folder = join(cluster.mediaDir, 'live', '.mirror', 'livenodes');
      mkdirSync(folder, { recursive: true });
      const snapshot = (guid: string, fields: Record<string, unknown>) =>
        writeFileSync(
          join(folder, `preview-${guid}.json`),
          JSON.stringify({
            writtenAt: Date.now(),
            manifestName: 'preview',
            playlists: {},
            tracks: {},
            ...fields,
          }),
        );
      const previewOf = (guid: string, rest: string) =>
        `${b.t.origin}/media/livenodes/preview/${guid}/preview.ism/${rest}`;
      const [stale, refused, open] = [randomUUID(), randomUUID(), randomUUID()];
      snapshot(stale, { writtenAt: Date.now() - 60_000 });
      snapshot(refused, { previewAllow: [{ name: 'studio', address: '10.0.0.0', subnetPrefixLength: 8 }] });
      snapshot(open, {
        previewAllow: null,
        playlists: { video_0: '#EXTM3U\n' },
        tracks: {
          // A folder outside the live folder, and a file name that leaves its folder: both /etc/passwd.
          'r1/video_0': { dir: `${'../'.repeat(12)}etc`, audio: false, segments: [[1, 0, 'passwd', 10, 0]] },
          'r2/video_0': {
            dir: 'livenodes/x/runs/r2/video_0',
            audio: false,
            segments: [[1, 0, `${'../'.repeat(12)}etc/passwd`, 10, 0]],
          },
        },
      });

      const moving = await b.fetch(previewOf(stale, 'live/video_0.m3u8'));
      assert.equal(moving.status, 503);
      assert.equal(moving.headers.get('retry-after'), '2');
      assert.match(await moving.text(), /moving to another node/);
      const outside = await b.fetch(previewOf(refused, 'live/video_0.m3u8'));
      assert.equal(outside.status, 403);
      assert.match(await outside.text(), /not allowed from this address/);
      const playlist = await b.fetch(previewOf(open, 'live/video_0.m3u8'));
      assert.equal(playlist.status, 200);
      assert.equal(await playlist.text(), '#EXTM3U\n');
      for (const run of ['r1', 'r2']) {
        const escaping = await b.fetch(previewOf(open, `live/${run}/video_0/1.m4s`));
        assert.equal(escaping.status, 404, 'only files of the live folder are served');
      }
      const nothing = await b.fetch(previewOf(open, 'manifest(format=m3u8-aapl)'));
      assert.equal(nothing.status, 404, 'nothing to describe yet');
      assert.match(await nothing.text(), /no live output yet/);
    });
  },
);

describe(
  "live output on every node: the holder's pipeline, played through the other node",
  { skip: multinodeSkip() },
  () => {
    let cluster: Cluster;
    let a: Node;
    let b: Node;
    let api: Api & { f: MediaFixture };
    let push: Push | undefined;

    before(async () => {
      cluster = await startCluster(2);
      [a, b] = cluster.nodes as [Node, Node];
      api = await liveAccount(cluster, 'liveorigin');
    });
    after(async () => {
      await push?.stop();
      await stopAllPushes();
      await cluster?.stop();
    });

    const text = async (node: Node, url: string) => {
      const response = await node.fetch(url);
      return { status: response.status, text: await response.text(), headers: response.headers };
    };
    const bytes = async (node: Node, url: string) => {
      const response = await node.fetch(url);
      assert.equal(response.status, 200, url);
      return { body: Buffer.from(await response.arrayBuffer()), etag: response.headers.get('etag') };
    };
    /** The last segment URI of a media playlist, resolved against its URL. */
    const lastSegment = (playlistUrl: string, playlist: string): string => {
      const uri = playlist
        .split('\n')
        .filter((line) => line.endsWith('.m4s'))
        .at(-1);
      assert.ok(uri, playlist);
      return new URL(uri, playlistUrl).toString();
    };

    test("a channel's preview and a program's locator play through B while A ingests", async () => {
      const tools = await locateFfmpeg();
      const created = await api.call(b, 'POST', 'Channels', {
        Name: 'onair',
        Input: { StreamingProtocol: 'RTMP' },
        Output: { Hls: { FragmentsPerSegment: 1 } },
      });
      succeeded(await api.settle(b, created));
      const channel = created.json;
      succeeded(await api.settle(b, await api.call(b, 'POST', `${keyOf('Channels', channel.Id)}/Start`)));
      const running = (await api.call(b, 'GET', keyOf('Channels', channel.Id))).json as Entity & {
        Input: { Endpoints: Array<{ Url: string }> };
        Preview: { Endpoints: Array<{ Url: string }> };
      };
      const ingest = new URL(running.Input.Endpoints[0]!.Url);
      assert.equal(ingest.hostname, 'localhost', 'the ingest URL names the public origin');
      // The load balancer sends the RTMP port to the lease holder: A, on 127.0.0.1.
      ingest.hostname = a.address;
      push = pushTestPattern(tools, ingest.toString(), { seconds: 90 });
      const preview = running.Preview.Endpoints[0]!.Url.replace(/manifest$/, '');

      const playlistUrl = `${preview}live/video_0.m3u8`;
      await until(
        "B to serve the holder's preview",
        async () => {
          const got = await text(b, playlistUrl);
          return got.status === 200 && segmentCount(got.text) >= 2;
        },
        60_000,
        250,
      );
      const master = await text(b, `${preview}manifest(format=m3u8-aapl)`);
      assert.equal(master.status, 200, master.text);
      assert.match(master.text, /#EXT-X-STREAM-INF:.*\nlive\/video_0\.m3u8/);
      const playlist = await text(b, playlistUrl);
      const segment = lastSegment(playlistUrl, playlist.text);
      const throughB = await bytes(b, segment);
      const fromA = await bytes(a, segment);
      assert.ok(throughB.body.length > 0);
      assert.ok(throughB.body.equals(fromA.body), 'the same segment through either node');
      assert.equal(throughB.etag, fromA.etag);
      const mpd = await text(b, `${preview}manifest(format=mpd-time-csf)`);
      assert.equal(mpd.status, 200, mpd.text);
      assert.equal(mpd.headers.get('content-type'), 'application/dash+xml');
      assert.doesNotMatch(mpd.text, /1970-01-01/, "the MPD carries the serving node's time");
      const dashSegment = /media="([^"]+)\$Time\$\.m4s"[\s\S]*?<S t="(\d+)"/.exec(mpd.text);
      assert.ok(dashSegment, mpd.text);
      const byTime = await bytes(b, `${preview}${dashSegment[1]}${dashSegment[2]}.m4s`);
      assert.ok(byTime.body.length > 0);

      // A program's origin locator, through B's streaming endpoint.
      const asset = await api.call(b, 'POST', 'Assets', { Name: 'onair recording', Options: '0' });
      const programCreated = await api.call(b, 'POST', 'Programs', {
        Name: 'show',
        ChannelId: channel.Id,
        AssetId: asset.json.Id,
        ArchiveWindowLength: 'PT10M',
        ManifestName: 'show',
      });
      succeeded(await api.settle(b, programCreated));
      const programId = programCreated.json.Id;
      succeeded(await api.settle(b, await api.call(b, 'POST', `${keyOf('Programs', programId)}/Start`)));
      const policy = await api.call(b, 'POST', 'AccessPolicies', {
        Name: 'watch',
        DurationInMinutes: 60,
        Permissions: 1,
      });
      const locator = await api.call(b, 'POST', 'Locators', {
        AccessPolicyId: policy.json.Id,
        AssetId: asset.json.Id,
        Type: 2,
      });
      assert.equal(locator.status, 201, locator.text);
      const programUrl = `${String(locator.json.Path)}show.ism/live/video_0.m3u8`;
      await until(
        "B to serve the program's live playlist",
        async () => {
          const got = await text(b, programUrl);
          return got.status === 200 && segmentCount(got.text) >= 1;
        },
        30_000,
        250,
      );
      const programPlaylist = await text(b, programUrl);
      assert.doesNotMatch(programPlaylist.text, /#EXT-X-ENDLIST/);
      assert.ok((await bytes(b, lastSegment(programUrl, programPlaylist.text))).body.length > 0);

      // A channel no node runs: B says so, as A does.
      const unknown = await text(
        b,
        preview.replace(/[0-9a-f-]{36}\/preview\.ism\/$/, `${randomUUID()}/preview.ism/live/video_0.m3u8`),
      );
      assert.equal(unknown.status, 404);
      assert.match(unknown.text, /not running/);

      // Stopped: its preview goes from every node.
      succeeded(
        await api.settle(b, await api.call(b, 'POST', `${keyOf('Programs', programId)}/Stop`), 60_000),
      );
      succeeded(
        await api.settle(b, await api.call(b, 'POST', `${keyOf('Channels', channel.Id)}/Stop`), 30_000),
      );
      await until(
        'the preview to be withdrawn',
        async () => (await text(b, playlistUrl)).status === 404,
        5000,
        50,
      );
    });
  },
);
