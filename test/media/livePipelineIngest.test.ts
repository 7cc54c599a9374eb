import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import { LiveIngestError } from '../../src/media/live/liveIngest.js';
import { LivePipeline } from '../../src/media/live/livePipeline.js';
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

const mediaSequence = (playlist: string): number => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1]);
const segmentsAfterDiscontinuity = (playlist: string): number =>
  segmentCount(playlist.slice(playlist.lastIndexOf('#EXT-X-DISCONTINUITY')));

describe('live pipeline: RTMP ingest and live output', () => {
  let h: LiveHarness;

  before(async () => {
    h = await startLiveHarness();
  });

  after(async () => {
    await stopAllPushes();
    await h?.close();
  });

  test('a pass-through channel repackages a push into live HLS and DASH, and continues after a reconnect', async () => {
    // An allow list that admits loopback by prefix, as an encoder on the LAN would be admitted.
    const spec = channelSpec({
      inputAllow: [{ name: 'loopback', address: '127.0.0.0', subnetPrefixLength: 8 }],
    });
    const endpoints = await h.live.startChannel(spec, `${h.origin}/`);
    const guid = spec.channelId.slice('nb:chid:UUID:'.length);
    assert.equal(endpoints.input.length, 1);
    assert.equal(endpoints.input[0]!.Protocol, 'RTMP');
    assert.match(endpoints.input[0]!.Url, /^rtmp:\/\/127\.0\.0\.1:\d+\/live\/[0-9a-f-]{36}$/);
    assert.deepEqual(endpoints.preview, [
      { Protocol: 'FragmentedMP4', Url: `${h.origin}/media/${ACCOUNT}/preview/${guid}/preview.ism/manifest` },
    ]);
    // Starting a started channel (a restarted control plane) gives the same URLs.
    assert.deepEqual(await h.live.startChannel(spec, h.origin), endpoints);
    assert.equal(h.live.isIngesting(ACCOUNT, spec.channelId), false);
    const base = previewBase(endpoints);
    const early = await fetchText(`${base}manifest(format=m3u8-aapl)`);
    assert.equal(early.status, 404, 'no output before an encoder pushes');
    assert.match(early.text, /no live output yet/);

    const first = pushTestPattern(h.tools, endpoints.input[0]!.Url, { seconds: 60 });
    const video = await waitForText(`${base}live/video_0.m3u8`, (t) => segmentCount(t) >= 3);
    assert.ok(h.live.isIngesting(ACCOUNT, spec.channelId));
    assert.match(video, /^#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n/);
    assert.match(video, /#EXT-X-MAP:URI="[a-z0-9]+\/video_0\/init\.mp4"/);
    assert.match(video, /#EXT-X-PROGRAM-DATE-TIME:\d{4}-\d\d-\d\dT/);
    assert.match(
      video,
      /#EXTINF:2\.000000,\n[a-z0-9]+\/video_0\/0\.m4s/,
      'key frames every 2 s: 2 s segments',
    );
    assert.doesNotMatch(video, /#EXT-X-ENDLIST/);

    const master = await fetchText(`${base}manifest(format=m3u8-aapl)`);
    assert.equal(master.status, 200);
    assert.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(master.headers.get('access-control-allow-origin'), '*');
    assert.match(master.text, /#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio".*URI="live\/audio\.m3u8"/);
    assert.match(
      master.text,
      /RESOLUTION=320x180,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2",AUDIO="audio"\nlive\/video_0\.m3u8/,
    );

    const hls = await ffprobe(h.tools, `${base}manifest(format=m3u8-aapl)`);
    assert.ok(
      hls.streams.some((s) => s.codec_type === 'video' && s.codec_name === 'h264' && s.width === 320),
    );
    assert.ok(hls.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac'));

    const mpd = await fetchText(`${base}manifest(format=mpd-time-csf)`);
    assert.equal(mpd.status, 200);
    assert.equal(mpd.headers.get('content-type'), 'application/dash+xml');
    assert.match(mpd.text, /type="dynamic"/);
    assert.match(mpd.text, /<UTCTiming schemeIdUri="urn:mpeg:dash:utc:direct:2014"/);
    assert.match(mpd.text, /media="live\/[a-z0-9]+\/video_0\/t\$Time\$\.m4s"/);
    assert.equal((mpd.text.match(/<Period /g) ?? []).length, 1);
    const dash = await ffprobe(h.tools, `${base}manifest(format=mpd-time-csf)`);
    assert.ok(dash.streams.some((s) => s.codec_type === 'video' && s.codec_name === 'h264'));
    assert.ok(dash.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac'));

    // The encoder drops and comes back: the same playlists continue, across a discontinuity.
    const beforeDrop = (await fetchText(`${base}live/video_0.m3u8`)).text;
    const lastBefore = mediaSequence(beforeDrop) + segmentCount(beforeDrop) - 1;
    await first.stop();
    await waitFor('the encoder to be gone', () =>
      h.live.isIngesting(ACCOUNT, spec.channelId) ? undefined : true,
    );
    const second = pushTestPattern(h.tools, endpoints.input[0]!.Url, { seconds: 60 });
    const resumed = await waitForText(
      `${base}live/video_0.m3u8`,
      (t) => t.includes('#EXT-X-DISCONTINUITY\n') && segmentsAfterDiscontinuity(t) >= 2,
    );
    assert.ok(mediaSequence(resumed) + segmentCount(resumed) - 1 > lastBefore + 1, 'the sequence continues');
    assert.equal((resumed.match(/#EXT-X-MAP:/g) ?? []).length, 2, 'each run has its init segment');
    const audio = await waitForText(`${base}live/audio.m3u8`, (t) => t.includes('#EXT-X-DISCONTINUITY\n'));
    assert.equal(
      /#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(audio)?.[1],
      /#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(resumed)?.[1],
    );
    const twoPeriods = await fetchText(`${base}manifest(format=mpd-time-csf)`);
    assert.equal((twoPeriods.text.match(/<Period /g) ?? []).length, 2, 'one period per publish');
    const dashAfter = await ffprobe(h.tools, `${base}manifest(format=mpd-time-csf)`);
    assert.ok(dashAfter.streams.some((s) => s.codec_type === 'video'));
    await second.stop();
  });

  test('a Standard channel transcodes to a ladder no taller than the source', async () => {
    const spec = channelSpec({ encodingType: 'Standard' });
    const endpoints = await h.live.startChannel(spec, h.origin);
    const push = pushTestPattern(h.tools, endpoints.input[0]!.Url, { seconds: 60, size: '640x360' });
    const base = previewBase(endpoints);
    await waitForText(`${base}live/video_1.m3u8`, (t) => segmentCount(t) >= 2);
    const master = (await fetchText(`${base}manifest(format=m3u8-aapl)`)).text;
    // "H264 Multiple Bitrate 720p" by height: 720 and 540 are taller than the source.
    assert.match(master, /RESOLUTION=640x360,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2".*\nlive\/video_0\.m3u8/);
    assert.match(master, /RESOLUTION=320x180,CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2".*\nlive\/video_1\.m3u8/);
    assert.doesNotMatch(master, /video_2/);
    const hls = await ffprobe(h.tools, `${base}manifest(format=m3u8-aapl)`);
    const heights = hls.streams.filter((s) => s.codec_type === 'video').map((s) => s.height);
    assert.deepEqual(heights.sort(), [180, 360]);
    await push.stop();
    await h.live.stopChannel(ACCOUNT, spec.channelId);
  });

  test('a wrong stream key, a wrong application and a stream without video are refused, and the channel stays usable', async () => {
    const spec = channelSpec();
    const endpoints = await h.live.startChannel(spec, h.origin);
    const url = endpoints.input[0]!.Url;

    const wrongKey = await pushTestPattern(h.tools, url.replace(/[0-9a-f-]{36}$/, randomUUID()), {
      seconds: 5,
    }).exited;
    assert.notEqual(wrongKey.code, 0);
    assert.match(wrongKey.stderr, /stream key is not this channel/);

    const wrongApp = await pushTestPattern(h.tools, url.replace('/live/', '/vod/'), { seconds: 5 }).exited;
    assert.notEqual(wrongApp.code, 0);
    assert.match(wrongApp.stderr, /Unknown application 'vod'/);

    const noVideo = await pushTestPattern(h.tools, url, { seconds: 20, video: false }).exited;
    assert.notEqual(noVideo.code, 0);
    assert.match(noVideo.stderr, /no H\.264 video/);
    assert.equal(h.live.isIngesting(ACCOUNT, spec.channelId), false);

    const base = previewBase(endpoints);
    assert.equal((await fetchText(`${base}manifest(format=m3u8-aapl)`)).status, 404, 'nothing was packaged');
    const good = pushTestPattern(h.tools, url, { seconds: 30 });
    await waitForText(`${base}live/video_0.m3u8`, (t) => segmentCount(t) >= 1);
    await good.stop();
    await h.live.stopChannel(ACCOUNT, spec.channelId);
  });

  test('an encoder outside the input allow list is refused before any RTMP byte', async () => {
    const spec = channelSpec({
      inputAllow: [{ name: 'studio', address: '10.0.0.0', subnetPrefixLength: 8 }],
    });
    const endpoints = await h.live.startChannel(spec, h.origin);
    const refused = await pushTestPattern(h.tools, endpoints.input[0]!.Url, { seconds: 5 }).exited;
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /Connection reset|Broken pipe|Input\/output error|Connection refused|End of file/i,
    );
    assert.ok(h.logs.some((line) => line.startsWith('live: refused an encoder outside the allow list')));
    assert.equal(h.live.isIngesting(ACCOUNT, spec.channelId), false);
    await h.live.stopChannel(ACCOUNT, spec.channelId);
  });

  test('the preview enforces its own allow list and answers only live HLS and DASH', async () => {
    const spec = channelSpec({
      previewAllow: [{ name: 'ops', address: '192.0.2.10', subnetPrefixLength: null }],
    });
    const endpoints = await h.live.startChannel(spec, h.origin);
    const base = previewBase(endpoints);
    const forbidden = await fetchText(`${base}manifest(format=m3u8-aapl)`);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.text, /not allowed from this address/);
    await h.live.stopChannel(ACCOUNT, spec.channelId);

    const open = channelSpec();
    const openBase = previewBase(await h.live.startChannel(open, h.origin));
    const smooth = await fetchText(`${openBase}manifest`);
    assert.equal(smooth.status, 400);
    assert.match(smooth.text, /Live Smooth Streaming is not offered/);
    assert.equal((await fetchText(`${openBase}manifest(format=m3u8-aapl-v3)`)).status, 400);
    assert.equal((await fetchText(`${openBase}manifest(format=f4m)`)).status, 400);
    assert.equal((await fetchText(`${openBase}live/../../etc/passwd`)).status, 404);
    assert.equal((await fetchText(`${openBase}live/abc/video_0/1.m4s`)).status, 404);
    const unknown = await fetchText(
      `${h.origin}/media/${ACCOUNT}/preview/${randomUUID()}/preview.ism/manifest(format=m3u8-aapl)`,
    );
    assert.equal(unknown.status, 404);
    assert.match(unknown.text, /not running/);
    await h.live.stopChannel(ACCOUNT, open.channelId);
    assert.equal(
      (await fetchText(`${openBase}manifest(format=m3u8-aapl)`)).status,
      404,
      'a stopped channel has no preview',
    );
  });

  test('a channel keeps its ingest URL across a stop and start, and bad requests fail with the documented codes', async () => {
    const code = (error: unknown) => (error instanceof LiveIngestError ? error.code : String(error));
    const quiet = { info: () => undefined, warn: () => undefined };
    const spec = channelSpec();
    const first = await h.live.startChannel(spec, h.origin);
    await h.live.stopChannel(ACCOUNT, spec.channelId);
    await h.live.stopChannel(ACCOUNT, spec.channelId); // stopping a stopped channel is a no-op
    const again = await h.live.startChannel(spec, h.origin);
    assert.equal(again.input[0]!.Url, first.input[0]!.Url);
    await assert.rejects(
      h.live.forgetChannel(ACCOUNT, spec.channelId),
      (e) => code(e) === 'InvalidOperation',
    );
    await h.live.stopChannel(ACCOUNT, spec.channelId);

    // A restarted server (another pipeline on the same folder) listens at the same URL again.
    const restarted = new LivePipeline({
      root: join(h.dir, 'live'),
      blobs: h.blobs,
      tools: locateFfmpeg,
      log: quiet,
    });
    try {
      assert.equal((await restarted.startChannel(spec, h.origin)).input[0]!.Url, first.input[0]!.Url);
      await restarted.stopChannel(ACCOUNT, spec.channelId);
    } finally {
      await restarted.close();
    }
    // A deleted channel is forgotten: started again, it gets a new stream key.
    await h.live.forgetChannel(ACCOUNT, spec.channelId);
    const reborn = await h.live.startChannel(spec, h.origin);
    assert.notEqual(reborn.input[0]!.Url.split('/live/')[1], first.input[0]!.Url.split('/live/')[1]);
    await h.live.stopChannel(ACCOUNT, spec.channelId);

    await assert.rejects(h.live.startChannel(channelSpec({ protocol: 'FragmentedMP4' }), h.origin), (e) => {
      assert.equal(code(e), 'BadRequest');
      assert.match((e as Error).message, /ingest RTMP/);
      return true;
    });
    const badList = channelSpec({
      inputAllow: [{ name: 'x', address: '10.0.0.300', subnetPrefixLength: 8 }],
    });
    await assert.rejects(h.live.startChannel(badList, h.origin), (e) => code(e) === 'BadRequest');
    const badPrefix = channelSpec({
      previewAllow: [{ name: 'x', address: '10.0.0.0', subnetPrefixLength: 33 }],
    });
    await assert.rejects(h.live.startChannel(badPrefix, h.origin), (e) => code(e) === 'BadRequest');
    await assert.rejects(h.live.resetChannel(ACCOUNT, spec.channelId), (e) => code(e) === 'InvalidOperation');
    await assert.rejects(
      h.live.showSlate(ACCOUNT, spec.channelId, { durationSeconds: 5, assetId: null }),
      (e) => code(e) === 'InvalidOperation',
    );
    await assert.rejects(
      h.live.stopProgram(ACCOUNT, `nb:pgid:UUID:${randomUUID()}`),
      (e) => code(e) === 'InvalidOperation',
    );
  });
});
