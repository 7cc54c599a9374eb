import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encode } from '../../src/media/encoding/encoder.js';
import { parseServerManifest } from '../../src/media/encoding/serverManifest.js';
import { LiveIngestError } from '../../src/media/live/liveIngest.js';
import type { ProgramSpec } from '../../src/media/live/liveIngest.js';
import type { LiveHarness } from './livePipelineSupport.js';
import {
  ACCOUNT,
  channelSpec,
  fetchText,
  ffprobe,
  previewBase,
  pushTestPattern,
  segmentCount,
  startLiveHarness,
  stopAllPushes,
  waitFor,
  waitForText,
} from './livePipelineSupport.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const code = (error: unknown) => (error instanceof LiveIngestError ? error.code : String(error));

describe('live pipeline: programs record into their assets', () => {
  let h: LiveHarness;
  let scratch: string;

  before(async () => {
    h = await startLiveHarness();
    scratch = mkdtempSync(join(tmpdir(), 'tessera-live-programs-'));
  });

  after(async () => {
    await stopAllPushes();
    await h?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('a running program plays live through the streaming endpoint, and after Stop its asset plays on demand', async () => {
    const spec = channelSpec();
    const endpoints = await h.live.startChannel(spec, h.origin);
    const url = endpoints.input[0]!.Url;
    const assetGuid = randomUUID();
    const locator = randomUUID();
    h.locators.set(locator, assetGuid);
    const program: ProgramSpec = {
      accountName: ACCOUNT,
      channelId: spec.channelId,
      programId: `nb:pgid:UUID:${randomUUID()}`,
      assetId: `nb:cid:UUID:${assetGuid}`,
      archiveWindowSeconds: 300,
      manifestName: 'show',
    };

    const first = pushTestPattern(h.tools, url, { seconds: 60 });
    await waitForText(`${previewBase(endpoints)}live/video_0.m3u8`, (t) => segmentCount(t) >= 1);
    await h.live.startProgram(program);
    await h.live.startProgram(program); // starting a running program again changes nothing
    const programStart = Date.now();
    await assert.rejects(
      h.live.startProgram({ ...program, programId: `nb:pgid:UUID:${randomUUID()}` }),
      (e) => code(e) === 'InvalidOperation',
      'two programs cannot record into one asset',
    );
    await assert.rejects(h.live.stopChannel(ACCOUNT, spec.channelId), (e) => code(e) === 'InvalidOperation');

    // Live through the streaming endpoint, with the program's manifest name.
    const streaming = `${h.origin}/media/${ACCOUNT}/streaming/${locator}`;
    const master = await waitForText(`${streaming}/show.ism/manifest(format=m3u8-aapl)`, (t) =>
      t.includes('#EXT-X-STREAM-INF'),
    );
    assert.match(master, /live\/video_0\.m3u8/);
    const media = await waitForText(`${streaming}/show.ism/live/video_0.m3u8`, (t) => segmentCount(t) >= 1);
    assert.doesNotMatch(media, /#EXT-X-ENDLIST/);
    const dash = await ffprobe(h.tools, `${streaming}/show.ism/manifest(format=mpd-time-csf)`);
    assert.ok(dash.streams.some((s) => s.codec_type === 'video'));
    const otherName = await fetchText(`${streaming}/other.ism/manifest(format=m3u8-aapl)`);
    assert.equal(otherName.status, 404);
    const progressive = await fetchText(`${streaming}/show.mp4`);
    assert.equal(progressive.status, 404);
    assert.match(progressive.text, /recorded by a running program/);
    h.noHls.add(assetGuid);
    const blocked = await fetchText(`${streaming}/show.ism/manifest(format=m3u8-aapl)`);
    assert.equal(blocked.status, 403);
    assert.match(blocked.text, /HLS is not allowed by the asset's delivery policy/);
    h.noHls.delete(assetGuid);

    // The encoder drops out and comes back within the program.
    await sleep(5000);
    await first.stop();
    const firstEnded = Date.now();
    await waitFor('the encoder to be gone', () =>
      h.live.isIngesting(ACCOUNT, spec.channelId) ? undefined : true,
    );
    const second = pushTestPattern(h.tools, url, { seconds: 60 });
    await waitFor('the encoder to be back', () =>
      h.live.isIngesting(ACCOUNT, spec.channelId) ? true : undefined,
    );
    const secondStarted = Date.now();
    await sleep(5000);
    const stopped = Date.now();
    const files = await h.live.stopProgram(ACCOUNT, program.programId);
    await second.stop();

    assert.deepEqual(files.map((f) => [f.name, f.mimeType, f.isPrimary]).sort(), [
      ['show.ism', 'application/octet-stream', true],
      ['show.mp4', 'video/mp4', false],
      ['show_manifest.xml', 'application/xml', false],
    ]);
    const container = `asset-${assetGuid}`;
    const stored = await h.blobs.list(container);
    assert.deepEqual(
      stored.map((b) => [b.name, b.size]),
      files.map((f) => [f.name, f.size]).sort(),
    );
    const mp4 = await h.blobs.localPath(container, 'show.mp4');
    const probed = await ffprobe(h.tools, mp4);
    assert.ok(probed.streams.some((s) => s.codec_type === 'video' && s.codec_name === 'h264'));
    assert.ok(probed.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac'));
    // Both publishes inside the program.
    const expected = (firstEnded - programStart + stopped - secondStarted) / 1000;
    assertRecordedLength(probed.duration, expected, 2);
    const ism = parseServerManifest(
      await (
        await import('node:fs/promises')
      ).readFile(await h.blobs.localPath(container, 'show.ism'), 'utf8'),
    );
    assert.deepEqual(
      ism.video.map((v) => [v.src, v.trackId, v.width, v.height]),
      [['show.mp4', 1, 320, 180]],
    );
    assert.deepEqual(
      ism.audio.map((a) => [a.src, a.trackId]),
      [['show.mp4', 2]],
    );

    // Stopped: the same locator now packages the recorded asset on demand.
    const vod = await waitForText(`${streaming}/show.ism/manifest(format=m3u8-aapl)`, (t) =>
      t.includes('#EXT-X-STREAM-INF'),
    );
    const variant = /\n([^#\n][^\n]*\.m3u8)/.exec(vod)?.[1];
    assert.ok(variant, vod);
    const vodMedia = await fetchText(new URL(variant, `${streaming}/show.ism/`).href);
    assert.equal(vodMedia.status, 200);
    assert.match(vodMedia.text, /#EXT-X-ENDLIST/);
    assert.equal(
      (await fetchText(`${streaming}/show.mp4`)).status,
      200,
      'progressive download of the recording',
    );

    // And a job can encode it (the encoder reads it as any MP4 input).
    const outputDir = join(scratch, 'encoded');
    const encoded = await encode(h.tools, {
      inputs: await Promise.all(
        stored.map(async (b) => ({ name: b.name, path: await h.blobs.localPath(container, b.name) })),
      ),
      primaryName: 'show.mp4',
      inputAssetGuid: assetGuid,
      configuration: 'AAC Good Quality Audio',
      outputDir,
      signal: new AbortController().signal,
      onProgress: () => undefined,
    });
    assert.ok(encoded.files.some((f) => f.name.endsWith('.mp4')));

    await assert.rejects(
      h.live.stopProgram(ACCOUNT, program.programId),
      (e) => code(e) === 'InvalidOperation',
    );
    await h.live.stopChannel(ACCOUNT, spec.channelId);
    await assert.rejects(
      h.live.startProgram(program),
      (e) => code(e) === 'InvalidOperation',
      'the channel is stopped',
    );
  });

  test('a program that recorded nothing leaves nothing, and a short program records about its length', async () => {
    const spec = channelSpec();
    const endpoints = await h.live.startChannel(spec, h.origin);
    const assetGuid = randomUUID();
    const program: ProgramSpec = {
      accountName: ACCOUNT,
      channelId: spec.channelId,
      programId: `nb:pgid:UUID:${randomUUID()}`,
      assetId: `nb:cid:UUID:${assetGuid}`,
      archiveWindowSeconds: 300,
      manifestName: null,
    };
    await h.live.startProgram(program);
    assert.deepEqual(await h.live.stopProgram(ACCOUNT, program.programId), []);
    assert.deepEqual(await h.blobs.list(`asset-${assetGuid}`), []);

    const push = pushTestPattern(h.tools, endpoints.input[0]!.Url, { seconds: 60 });
    await waitForText(`${previewBase(endpoints)}live/video_0.m3u8`, (t) => segmentCount(t) >= 1);
    await h.live.startProgram(program);
    const started = Date.now();
    await sleep(6000);
    const seconds = (Date.now() - started) / 1000;
    const files = await h.live.stopProgram(ACCOUNT, program.programId);
    await push.stop();
    assert.deepEqual(files.map((f) => f.name).sort(), ['archive.ism', 'archive.mp4', 'archive_manifest.xml']);
    const probed = await ffprobe(h.tools, await h.blobs.localPath(`asset-${assetGuid}`, 'archive.mp4'));
    assertRecordedLength(probed.duration, seconds, 1);
    await h.live.stopChannel(ACCOUNT, spec.channelId);
  });
});

/**
 * A recording is made of whole segments: each run (publish) inside the program may add up to one
 * segment (2 s) at its start and one at its end; nothing published inside the program is missing.
 */
function assertRecordedLength(recorded: number, published: number, runs: number): void {
  const segmentSeconds = 2;
  assert.ok(
    recorded >= published - 1 && recorded <= published + runs * 2 * segmentSeconds + 0.5,
    `recorded ${recorded} s, published ${published} s in ${runs} run(s)`,
  );
}
