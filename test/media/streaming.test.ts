import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { FfmpegTools } from '../../src/media/encoding/ffmpegBinary.js';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import { parseRange } from '../../src/media/streaming/fileReply.js';
import { parseRequestPath } from '../../src/media/streaming/requestPath.js';
import { streamingPlugin } from '../../src/media/streaming/index.js';
import type { LocatorResolver, StreamingAsset, StreamingFile } from '../../src/media/streaming/index.js';

const run = promisify(execFile);

/** A tiny GOP-aligned ladder: 4 s of testsrc at 320x240 and 160x120 (2 s GOP), AAC in its own MP4. */
async function makeMedia(tools: FfmpegTools, dir: string): Promise<void> {
  const ff = (args: string[]) => run(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  const video = (size: string, rate: string, out: string) =>
    ff([
      ...['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=4`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
      ...['-b:v', rate, '-pix_fmt', 'yuv420p', '-an', join(dir, out)],
    ]);
  await video('320x240', '300k', 'clip_320x240_300.mp4');
  await video('160x120', '100k', 'clip_160x120_100.mp4');
  await ff([
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=4:sample_rate=48000'],
    ...['-ac', '2', '-c:a', 'aac', '-b:a', '64k', join(dir, 'clip_AAC_und_ch2_64kbps.mp4')],
  ]);
  // One MP4 with video and audio interleaved (the single-file case).
  await ff([
    ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=4'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=4:sample_rate=48000'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-sc_threshold', '0', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-ac', '2', '-shortest', join(dir, 'single.mp4')],
  ]);
  // MPEG-4 Part 2 video: an MP4 that dynamic packaging does not stream.
  await ff([
    ...['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=1'],
    ...['-c:v', 'mpeg4', join(dir, 'mpeg4.mp4')],
  ]);
  await ff(['-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1', join(dir, 'thumb.png')]);
  writeFileSync(
    join(dir, 'clip.ism'),
    `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<smil xmlns="http://www.w3.org/2001/SMIL20/Language">
  <head><meta name="formats" content="mp4" /></head>
  <body>
    <switch>
      <video src="clip_320x240_300.mp4" systemBitrate="300000" />
      <video src="clip_160x120_100.mp4" systemBitrate="100000" />
      <audio src="clip_AAC_und_ch2_64kbps.mp4" systemBitrate="64000" systemLanguage="und">
        <param name="trackName" value="aac_und_2_64000_1_1" />
      </audio>
    </switch>
  </body>
</smil>
`,
  );
  // Tracks of the interleaved MP4 addressed by MP4 track ID, as the encoder's manifests do.
  const smil = (body: string) =>
    `<?xml version="1.0"?><smil xmlns="http://www.w3.org/2001/SMIL20/Language"><body><switch>${body}</switch></body></smil>`;
  const track = (kind: string, id: number) =>
    `<${kind} src="single.mp4" systemBitrate="1"><param name="trackID" value="${id}" valuetype="data"/></${kind}>`;
  writeFileSync(join(dir, 'single.ism'), smil(track('video', 1) + track('audio', 2)));
  writeFileSync(join(dir, 'wrongtrack.ism'), smil(track('video', 2)));
  writeFileSync(join(dir, 'garbage.ism'), '<smil><body><switch><video src="single.mp4"');
  writeFileSync(join(dir, 'notes.txt'), 'not media');
  writeFileSync(join(dir, 'broken.mp4'), Buffer.alloc(4096, 7));
}

/** An ffmpeg that logs its command lines, to count packaging runs. */
function loggingFfmpeg(dir: string, real: string, log: string, fail = false): string {
  const path = join(dir, fail ? 'ffmpeg-failing.sh' : 'ffmpeg-logging.sh');
  writeFileSync(
    path,
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\n${fail ? 'exit 1' : `exec '${real}' "$@"`}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

const ALL = { smooth: true, dash: true, hls: true, progressive: true };

describe('streaming origin', () => {
  let dir: string;
  let media: string;
  let cacheDir: string;
  let tools: FfmpegTools;
  let app: FastifyInstance;
  let base: string;
  let ffmpegLog: string;
  const assets = new Map<string, StreamingAsset>();
  const file = (name: string): StreamingFile => ({
    name,
    path: join(media, name),
    size: statSync(join(media, name)).size,
  });
  const ladder = (): StreamingFile[] =>
    [
      'clip_320x240_300.mp4',
      'clip_160x120_100.mp4',
      'clip_AAC_und_ch2_64kbps.mp4',
      'clip.ism',
      'thumb.png',
    ].map(file);
  /** A new locator on a new asset; returns the locator path (`/media/acct/streaming/<guid>/`). */
  const addAsset = (
    files: StreamingFile[],
    protocols = ALL,
    version = '1',
  ): { path: string; asset: StreamingAsset } => {
    const guid = randomUUID();
    const asset: StreamingAsset = { assetKey: `nb:cid:UUID:${randomUUID()}`, files, protocols, version };
    assets.set(guid, asset);
    return { path: `/media/acct/streaming/${guid}/`, asset };
  };
  const resolver: LocatorResolver = {
    async resolve(account, guid) {
      if (account !== 'acct') return { kind: 'notFound' };
      if (guid === 'stopped') return { kind: 'forbidden', reason: 'The streaming endpoint is not running.' };
      const asset = assets.get(guid);
      return asset ? { kind: 'ok', asset } : { kind: 'notFound' };
    },
  };
  let toolsFor: () => Promise<FfmpegTools>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-streaming-'));
    media = join(dir, 'media');
    cacheDir = join(dir, 'cache');
    ffmpegLog = join(dir, 'ffmpeg.log');
    writeFileSync(ffmpegLog, '');
    mkdirSync(media);
    tools = await locateFfmpeg();
    await makeMedia(tools, media);
    const logged = { ...tools, ffmpeg: loggingFfmpeg(dir, tools.ffmpeg, ffmpegLog) };
    toolsFor = async () => logged;
    app = Fastify();
    await app.register(streamingPlugin, {
      prefix: '/media/:account/streaming',
      resolver,
      cacheDir,
      tools: () => toolsFor(),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    assert.ok(address && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;
  });

  after(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(base + path, { headers, method });

  /** Reads a URL to the end with ffmpeg: the decoded duration and the streams ffprobe sees. */
  async function readToEnd(
    url: string,
    ffmpeg = tools.ffmpeg,
  ): Promise<{ seconds: number; streams: string[] }> {
    const { stdout } = await run(ffmpeg, [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', url],
      ...['-map', '0:v:0?', '-map', '0:a:0?', '-f', 'null', '-progress', 'pipe:1', '-'],
    ]);
    const times = [...stdout.matchAll(/out_time_us=(\d+)/g)].map((m) => Number(m[1]));
    assert.match(stdout, /progress=end/);
    const probe = await run(tools.ffprobe, [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type',
      '-of',
      'csv=p=0',
      url,
    ]);
    const streams = [
      ...new Set(
        probe.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      ),
    ].sort();
    return { seconds: Math.max(...times) / 1e6, streams };
  }

  const ffmpegRuns = (needle: string): number =>
    readFileSync(ffmpegLog, 'utf8')
      .split('\n')
      .filter((line) => line.includes(needle)).length;

  test('HLS: the master lists every rendition and ffmpeg plays it to the end over HTTP', async () => {
    const { path } = addAsset(ladder());
    const response = await get(`${path}clip.ism/manifest(format=m3u8-aapl)`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=10');
    const master = await response.text();
    const variants = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
    assert.equal(variants.length, 2);
    assert.match(
      variants[0] ?? '',
      /BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=320x240,FRAME-RATE=25\.000/,
    );
    assert.match(variants[0] ?? '', /CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2",AUDIO="audio"/);
    assert.match(variants[1] ?? '', /RESOLUTION=160x120/);
    const bandwidth = (line: string) => Number(/BANDWIDTH=(\d+)/.exec(line)?.[1]);
    assert.ok(bandwidth(variants[0] ?? '') > bandwidth(variants[1] ?? ''));
    assert.match(
      master,
      /#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="aac_und_2_64000_1_1".*URI="hls-fmp4-[0-9a-f]{12}\/audio\/index\.m3u8"/,
    );

    const played = await readToEnd(`${base}${path}clip.ism/manifest(format=m3u8-aapl)`);
    assert.deepEqual(played.streams, ['audio', 'video']);
    assert.ok(Math.abs(played.seconds - 4) <= 0.5, `played ${played.seconds} s`);

    // The other HLS spellings reach the same package.
    const cmaf = await get(`${path}clip.ism/manifest(format=m3u8-cmaf)`);
    assert.equal(await cmaf.text(), master);
  });

  test('HLS sub-resources: playlists, init and segments with immutable caching, ETags, HEAD', async () => {
    const { path } = addAsset(ladder());
    const master = await (await get(`${path}clip.ism/manifest(format=m3u8-aapl)`)).text();
    const variant = master.split('\n').find((l) => l.startsWith('hls-fmp4-') && l.includes('video_0'));
    assert.ok(variant);
    const playlistUrl = new URL(variant, `${base}${path}clip.ism/manifest(format=m3u8-aapl)`);
    assert.equal(playlistUrl.pathname, `${path}clip.ism/${variant}`);
    const playlist = await get(playlistUrl.pathname);
    assert.equal(playlist.status, 200);
    assert.equal(playlist.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const text = await playlist.text();
    assert.match(text, /#EXT-X-MAP:URI="init\.mp4"/);
    const segmentName = text.split('\n').find((l) => l.endsWith('.m4s'));
    assert.ok(segmentName);
    const segmentPath = new URL(segmentName, playlistUrl).pathname;
    const segment = await get(segmentPath);
    assert.equal(segment.status, 200);
    assert.equal(segment.headers.get('content-type'), 'video/mp4');
    assert.equal(segment.headers.get('access-control-allow-origin'), '*');
    const body = Buffer.from(await segment.arrayBuffer());
    assert.equal(Number(segment.headers.get('content-length')), body.length);
    const etag = segment.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]{22}"$/);
    assert.ok(segment.headers.get('last-modified'));

    assert.equal((await get(segmentPath, { 'if-none-match': etag ?? '' })).status, 304);
    const head = await get(segmentPath, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), body.length);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const ranged = await get(segmentPath, { range: 'bytes=8-15' });
    assert.equal(ranged.status, 206);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), body.subarray(8, 16));

    const audioInit = new URL(
      master.match(/URI="([^"]+)"/)?.[1] ?? '',
      `${base}${path}clip.ism/x`,
    ).pathname.replace('index.m3u8', 'init.mp4');
    const audio = await get(audioInit);
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get('content-type'), 'audio/mp4');
    // The package's own metadata and made-up names are not resources.
    const tagDir = variant.split('/')[0];
    assert.equal((await get(`${path}clip.ism/${tagDir}/.package.json`)).status, 404);
    assert.equal((await get(`${path}clip.ism/${tagDir}/master.m3u8`)).status, 404);
    assert.equal((await get(`${path}clip.ism/${tagDir}/video_0/nope.m4s`)).status, 404);
    assert.equal((await get(`${path}clip.ism/hls-fmp4-000000000000/video_0/index.m3u8`)).status, 404);
  });

  test('HLS v3 (m3u8-aapl-v3): MPEG-TS variants with the audio muxed in, played by ffmpeg', async () => {
    const { path } = addAsset(ladder());
    const url = `${path}clip.ism/manifest(format=m3u8-aapl-v3)`;
    const master = await (await get(url)).text();
    assert.match(master, /#EXT-X-VERSION:3/);
    assert.doesNotMatch(master, /EXT-X-MEDIA/);
    assert.equal(master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:')).length, 2);
    const played = await readToEnd(base + url);
    assert.deepEqual(played.streams, ['audio', 'video']);
    assert.ok(Math.abs(played.seconds - 4) <= 0.5, `played ${played.seconds} s`);
    const segment = master
      .split('\n')
      .find((l) => l.startsWith('hls-ts-'))
      ?.replace('index.m3u8', 'seg_0.ts');
    const response = await get(`${path}clip.ism/${segment}`);
    assert.equal(response.headers.get('content-type'), 'video/mp2t');
    assert.equal((await response.arrayBuffer()).byteLength % 188, 0);
  });

  test('DASH: the MPD lists every rendition and ffmpeg plays it to the end over HTTP', async () => {
    const { path } = addAsset(ladder());
    const url = `${path}clip.ism/manifest(format=mpd-time-csf)`;
    const response = await get(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/dash+xml');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const mpd = await response.text();
    assert.match(mpd, /<MPD[\s\S]*type="static"/);
    const representations = [...mpd.matchAll(/<Representation ([^>]*)>/g)].map((m) => m[1] ?? '');
    assert.equal(representations.length, 3);
    assert.ok(representations.some((r) => /width="320" height="240"/.test(r) && /codecs="avc1\./.test(r)));
    assert.ok(representations.some((r) => /width="160" height="120"/.test(r)));
    assert.ok(representations.some((r) => /mimeType="audio\/mp4" codecs="mp4a\.40\.2"/.test(r)));
    assert.match(
      mpd,
      /<SegmentTemplate [^>]*initialization="dash-[0-9a-f]{12}\/init-\$RepresentationID\$\.m4s"/,
    );
    const played = await readToEnd(base + url);
    assert.deepEqual(played.streams, ['audio', 'video']);
    assert.ok(Math.abs(played.seconds - 4) <= 0.5, `played ${played.seconds} s`);
    assert.equal((await get(`${path}clip.ism/manifest(format=mpd-time-cmaf)`)).status, 200);
  });

  test('Smooth: the client manifest names fragments that are the moof+mdat of each chunk', async () => {
    const { path } = addAsset(ladder());
    const response = await get(`${path}clip.ism/manifest`);
    assert.equal(response.status, 200);
    const xml = await response.text();
    assert.match(
      xml,
      /<SmoothStreamingMedia MajorVersion="2" MinorVersion="2" Duration="\d+" TimeScale="10000000">/,
    );
    const duration = Number(/Duration="(\d+)"/.exec(xml)?.[1]);
    assert.ok(Math.abs(duration / 1e7 - 4) <= 0.5);
    const streams = [...xml.matchAll(/<StreamIndex ([^>]*)>([\s\S]*?)<\/StreamIndex>/g)];
    assert.equal(streams.length, 2);
    let fetched = 0;
    for (const [, attrs = '', body = ''] of streams) {
      const type = /Type="(\w+)"/.exec(attrs)?.[1] ?? '';
      const template = /Url="([^"]+)"/.exec(attrs)?.[1] ?? '';
      assert.match(
        template,
        new RegExp(
          `^smooth-[0-9a-f]{12}/QualityLevels\\(\\{bitrate\\}\\)/Fragments\\(${type}=\\{start time\\}\\)$`,
        ),
      );
      const bitrates = [...body.matchAll(/<QualityLevel [^>]*Bitrate="(\d+)"/g)].map((m) => m[1] ?? '');
      assert.equal(bitrates.length, type === 'video' ? 2 : 1);
      if (type === 'video')
        assert.match(body, /FourCC="H264"[^>]*CodecPrivateData="00000001[0-9A-F]+00000001[0-9A-F]+"/);
      else assert.match(body, /FourCC="AACL"[^>]*CodecPrivateData="1190[0-9A-F]*"/);
      let t = 0;
      let total = 0;
      for (const chunk of body.matchAll(/<c (?:t="(\d+)" )?d="(\d+)"\/>/g)) {
        if (chunk[1] !== undefined) t = Number(chunk[1]);
        const d = Number(chunk[2]);
        for (const bitrate of bitrates) {
          const url = template.replace('{bitrate}', bitrate).replace('{start time}', String(t));
          const fragment = await get(`${path}clip.ism/${url}`);
          assert.equal(fragment.status, 200, url);
          assert.equal(fragment.headers.get('content-type'), type === 'video' ? 'video/mp4' : 'audio/mp4');
          const bytes = Buffer.from(await fragment.arrayBuffer());
          assert.equal(bytes.toString('latin1', 4, 8), 'moof');
          const moofSize = bytes.readUInt32BE(0);
          assert.equal(bytes.toString('latin1', moofSize + 4, moofSize + 8), 'mdat');
          assert.equal(moofSize + bytes.readUInt32BE(moofSize), bytes.length);
          // The tfxd box carries the same start time and duration.
          const tfxd = bytes.indexOf(Buffer.from('6d1d9b0542d544e680e2141daff757b2', 'hex'));
          assert.ok(tfxd > 0);
          assert.equal(Number(bytes.readBigUInt64BE(tfxd + 20)), t);
          assert.equal(Number(bytes.readBigUInt64BE(tfxd + 28)), d);
          fetched++;
        }
        t += d;
        total += d;
      }
      assert.ok(Math.abs(total / 1e7 - 4) <= 0.5, `${type} chunks add up to ${total}`);
    }
    assert.ok(fetched >= 6);
    const bad = await get(
      `${path}clip.ism/${/Url="(smooth-[0-9a-f]+)/.exec(xml)?.[1]}/QualityLevels(1)/Fragments(video=0)`,
    );
    assert.equal(bad.status, 404);
  });

  test('a single interleaved MP4 without .ism packages for HLS and DASH', async () => {
    const { path } = addAsset([file('single.mp4'), file('thumb.png')]);
    for (const format of ['m3u8-aapl', 'mpd-time-csf']) {
      // No .ism in the asset: any <name>.ism names "every MP4 of the asset".
      const url = `${base}${path}single.ism/manifest(format=${format})`;
      const played = await readToEnd(url);
      assert.deepEqual(played.streams, ['audio', 'video'], format);
      assert.ok(Math.abs(played.seconds - 4) <= 0.5, `${format} played ${played.seconds} s`);
    }
    const master = await (await get(`${path}whatever.ism/manifest(format=m3u8-aapl)`)).text();
    assert.equal(master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:')).length, 1);
    assert.equal((await get(`${path}single.ism/manifest`)).status, 200);
  });

  test('several .ism files in one asset; tracks addressed by trackID; unreadable manifests are 400', async () => {
    const { path } = addAsset(['single.mp4', 'single.ism', 'wrongtrack.ism', 'garbage.ism'].map(file));
    const played = await readToEnd(`${base}${path}single.ism/manifest(format=m3u8-aapl)`);
    assert.deepEqual(played.streams, ['audio', 'video']);
    assert.ok(Math.abs(played.seconds - 4) <= 0.5, `played ${played.seconds} s`);
    const wrong = await get(`${path}wrongtrack.ism/manifest(format=m3u8-aapl)`);
    assert.equal(wrong.status, 400);
    assert.equal(await wrong.text(), 'single.mp4 has no video track with ID 2.');
    const garbage = await get(`${path}garbage.ism/manifest(format=mpd-time-csf)`);
    assert.equal(garbage.status, 400);
    assert.match(await garbage.text(), /^The server manifest garbage\.ism cannot be read: /);
    assert.equal((await get(`${path}clip.ism/manifest(format=m3u8-aapl)`)).status, 404);
  });

  test('progressive download: whole files, byte ranges, validators, other files of the asset', async () => {
    const { path } = addAsset(ladder());
    const bytes = readFileSync(join(media, 'clip_320x240_300.mp4'));
    const whole = await get(`${path}clip_320x240_300.mp4`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'video/mp4');
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(Number(whole.headers.get('content-length')), bytes.length);
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes);

    const part = await get(`${path}clip_320x240_300.mp4`, { range: 'bytes=1000-1999' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${bytes.length}`);
    assert.equal(part.headers.get('content-length'), '1000');
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(1000, 2000));

    const suffix = await get(`${path}clip_320x240_300.mp4`, { range: 'bytes=-100' });
    assert.equal(suffix.status, 206);
    assert.deepEqual(Buffer.from(await suffix.arrayBuffer()), bytes.subarray(bytes.length - 100));
    const open = await get(`${path}clip_320x240_300.mp4`, { range: `bytes=${bytes.length - 10}-` });
    assert.deepEqual(Buffer.from(await open.arrayBuffer()), bytes.subarray(bytes.length - 10));

    const beyond = await get(`${path}clip_320x240_300.mp4`, { range: `bytes=${bytes.length}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${bytes.length}`);

    const etag = whole.headers.get('etag') ?? '';
    assert.equal((await get(`${path}clip_320x240_300.mp4`, { 'if-none-match': etag })).status, 304);
    const lastModified = whole.headers.get('last-modified') ?? '';
    assert.equal(
      (await get(`${path}clip_320x240_300.mp4`, { 'if-modified-since': lastModified })).status,
      304,
    );
    // If-Range with a stale validator: the whole file, not the range.
    const stale = await get(`${path}clip_320x240_300.mp4`, { range: 'bytes=0-9', 'if-range': '"stale"' });
    assert.equal(stale.status, 200);
    await stale.arrayBuffer();
    const fresh = await get(`${path}clip_320x240_300.mp4`, { range: 'bytes=0-9', 'if-range': etag });
    assert.equal(fresh.status, 206);
    await fresh.arrayBuffer();

    const thumb = await get(`${path}thumb.png`);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await thumb.arrayBuffer()), readFileSync(join(media, 'thumb.png')));
  });

  test('a protocol the delivery policy does not allow is 403', async () => {
    const { path } = addAsset(ladder(), { smooth: false, dash: true, hls: false, progressive: false });
    for (const url of [
      'clip.ism/manifest(format=m3u8-aapl)',
      'clip.ism/manifest(format=m3u8-aapl-v3)',
      'clip.ism/manifest',
      'clip_320x240_300.mp4',
      'clip.ism/hls-fmp4-000000000000/video_0/index.m3u8',
    ]) {
      const response = await get(path + url);
      assert.equal(response.status, 403, url);
      assert.match(await response.text(), /not allowed by the asset's delivery policy/);
    }
    assert.equal((await get(`${path}clip.ism/manifest(format=mpd-time-csf)`)).status, 200);
    const stopped = await get('/media/acct/streaming/stopped/clip.ism/manifest');
    assert.equal(stopped.status, 403);
    assert.equal(await stopped.text(), 'The streaming endpoint is not running.');
  });

  test('unknown locators, files, manifests and formats', async () => {
    const { path } = addAsset(ladder());
    const cases: [string, number][] = [
      [`/media/acct/streaming/${randomUUID()}/clip.ism/manifest`, 404],
      [`/media/other/streaming/${path.split('/')[4]}/clip.ism/manifest`, 404],
      [`${path}missing.mp4`, 404],
      [`${path}other.ism/manifest(format=m3u8-aapl)`, 404],
      [`${path}clip.ism/manifest(format=hds)`, 400],
      [`${path}clip.ism/manifest(format=m3u8-aapl,filter=low)`, 400],
      [`${path}clip.ism/unknown`, 404],
      [`${path}clip.mp4/manifest`, 404],
      [`${path}`, 404],
      ['/media/acct/streaming/', 404],
    ];
    for (const [url, status] of cases) {
      const response = await get(url);
      assert.equal(response.status, status, url);
      assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8', url);
      assert.ok((await response.text()).length > 0);
    }
    const preflight = await get(
      `${path}clip.ism/manifest`,
      { 'access-control-request-headers': 'range' },
      'OPTIONS',
    );
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'range');
  });

  test('path traversal in any part of the URL is 404', async () => {
    const { path } = addAsset(ladder());
    const master = await (await get(`${path}clip.ism/manifest(format=m3u8-aapl)`)).text();
    const tagDir =
      master
        .split('\n')
        .find((l) => l.startsWith('hls-fmp4-'))
        ?.split('/')[0] ?? '';
    const raw = (p: string): Promise<number> =>
      new Promise((done, fail) => {
        const { hostname, port } = new URL(base);
        const req = httpRequest({ hostname, port, path: p, method: 'GET' }, (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
        });
        req.on('error', fail);
        req.end();
      });
    // Sent as written: fetch and URL strings would normalize the dots away.
    for (const p of [
      `${path}../../../etc/passwd`,
      `${path}..%2F..%2F..%2Fetc%2Fpasswd`,
      `${path}%2e%2e%2fclip.ism`,
      `${path}clip.ism/${tagDir}/../../clip_320x240_300.mp4`,
      `${path}clip.ism/${tagDir}/video_0/..%2F..%2F..%2F..%2Fmedia%2Fclip.ism`,
      `${path}clip.ism/${tagDir}/video_0%2F..%2F.package.json`,
      `${path}clip.ism/${tagDir}/%2Fetc%2Fpasswd`,
      `${path}clip.ism/smooth-${tagDir.slice(-12)}/QualityLevels(1)/Fragments(video=../x)`,
      `${path}%2Fetc%2Fpasswd`,
    ]) {
      assert.equal(await raw(p), 404, p);
    }
  });

  test('concurrent first requests package once; a new version gets new URLs and the old cache goes', async () => {
    const { path, asset } = addAsset(ladder());
    const urls = [
      ...Array.from({ length: 6 }, () => `${path}clip.ism/manifest(format=m3u8-aapl)`),
      ...Array.from({ length: 3 }, () => `${path}clip.ism/manifest(format=m3u8-cmaf)`),
    ];
    const before = ffmpegRuns(
      '-f hls -hls_time 2 -hls_playlist_type vod -hls_list_size 0 -hls_segment_type fmp4',
    );
    const bodies = await Promise.all(urls.map(async (u) => (await get(u)).text()));
    assert.equal(new Set(bodies).size, 1);
    const after = ffmpegRuns(
      '-f hls -hls_time 2 -hls_playlist_type vod -hls_list_size 0 -hls_segment_type fmp4',
    );
    // Three tracks (two videos, one audio), each segmented once.
    assert.equal(after - before, 3);
    const assetDir = readdirSync(cacheDir).find((name) => decodeURIComponent(name) === asset.assetKey);
    assert.ok(assetDir);
    const formatDir = join(cacheDir, assetDir, '1', 'hls-fmp4');
    assert.deepEqual(readdirSync(formatDir), ['clip.ism']);

    const oldTag = bodies[0]?.split('\n').find((l) => l.startsWith('hls-fmp4-')) ?? '';
    asset.version = '2';
    const master2 = await (await get(`${path}clip.ism/manifest(format=m3u8-aapl)`)).text();
    assert.notEqual(master2, bodies[0]);
    assert.equal((await get(`${path}clip.ism/${oldTag}`)).status, 404);
    assert.equal(ffmpegRuns('-hls_segment_type fmp4') - after >= 3, true);
    assert.deepEqual(readdirSync(join(cacheDir, assetDir)), ['2']);
  });

  test('nothing packageable, unsupported codecs and unreadable files are clear 4xx; no half cache is left', async () => {
    const none = addAsset([file('notes.txt'), file('thumb.png')]);
    const noneResponse = await get(`${none.path}any.ism/manifest(format=m3u8-aapl)`);
    assert.equal(noneResponse.status, 404);
    assert.match(await noneResponse.text(), /no MP4 with H\.264 video or AAC audio/);

    const mpeg4 = addAsset([file('mpeg4.mp4')]);
    const codec = await get(`${mpeg4.path}x.ism/manifest(format=mpd-time-csf)`);
    assert.equal(codec.status, 400);
    assert.match(await codec.text(), /H\.264 video and AAC audio; mpeg4\.mp4 holds video in mpeg4/);

    const broken = addAsset([file('broken.mp4'), file('single.mp4')]);
    const unreadable = await get(`${broken.path}x.ism/manifest(format=m3u8-aapl)`);
    assert.equal(unreadable.status, 400);
    assert.match(await unreadable.text(), /broken\.mp4 is not a readable MP4/);

    const missing = addAsset([file('clip.ism'), file('clip_320x240_300.mp4')]);
    const missingResponse = await get(`${missing.path}clip.ism/manifest`);
    assert.equal(missingResponse.status, 404);
    assert.match(await missingResponse.text(), /names clip_160x120_100\.mp4, which the asset does not hold/);

    for (const { asset } of [none, mpeg4, broken, missing]) {
      const assetDirs = readdirSync(cacheDir).filter((name) => decodeURIComponent(name) === asset.assetKey);
      for (const assetDir of assetDirs) {
        for (const version of readdirSync(join(cacheDir, assetDir))) {
          for (const format of readdirSync(join(cacheDir, assetDir, version))) {
            assert.deepEqual(
              readdirSync(join(cacheDir, assetDir, version, format)),
              [],
              `${assetDir}/${format}`,
            );
          }
        }
      }
    }
  });

  test('an ffmpeg failure is a 500, leaves no half cache, and is not retried at once', async () => {
    const failLog = join(dir, 'failing.log');
    writeFileSync(failLog, '');
    const failing = { ...tools, ffmpeg: loggingFfmpeg(dir, tools.ffmpeg, failLog, true) };
    const previous = toolsFor;
    toolsFor = async () => failing;
    try {
      const { path, asset } = addAsset(ladder());
      const first = await get(`${path}clip.ism/manifest(format=mpd-time-csf)`);
      assert.equal(first.status, 500);
      assert.equal(await first.text(), 'Packaging the asset for streaming failed.');
      const second = await get(`${path}clip.ism/manifest(format=mpd-time-csf)`);
      assert.equal(second.status, 500);
      await second.text();
      assert.equal(readFileSync(failLog, 'utf8').trim().split('\n').length, 1);
      const assetDir = readdirSync(cacheDir).find((name) => decodeURIComponent(name) === asset.assetKey);
      assert.ok(assetDir);
      assert.deepEqual(readdirSync(join(cacheDir, assetDir, '1', 'dash')), []);
    } finally {
      toolsFor = previous;
    }
  });

  test('packages made with the npm ffmpeg (4.x) play in ffmpeg 5.1 and 4.x', async () => {
    // A dependency of Tessera (the encoder's fallback): its absence is a failure, not a skip.
    const { createRequire } = await import('node:module');
    const npmFfmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    assert.ok(existsSync(npmFfmpeg));
    const previous = toolsFor;
    toolsFor = async () => ({ ...tools, ffmpeg: npmFfmpeg, source: 'npm' });
    try {
      const { path } = addAsset(ladder());
      for (const format of ['m3u8-aapl', 'm3u8-aapl-v3', 'mpd-time-csf']) {
        for (const reader of [tools.ffmpeg, npmFfmpeg]) {
          const played = await readToEnd(`${base}${path}clip.ism/manifest(format=${format})`, reader);
          assert.deepEqual(played.streams, ['audio', 'video'], format);
          assert.ok(Math.abs(played.seconds - 4) <= 0.5, `${format} via ${reader}: ${played.seconds} s`);
        }
      }
      const smooth = await get(`${path}clip.ism/manifest`);
      assert.equal(smooth.status, 200);
      assert.match(await smooth.text(), /<c t="0" d="20000000"\/>/);
    } finally {
      toolsFor = previous;
    }
  });
});

describe('request paths and ranges', () => {
  test('parseRequestPath classifies the URL layout', () => {
    assert.deepEqual(parseRequestPath('a.mp4'), { kind: 'file', name: 'a.mp4' });
    assert.deepEqual(parseRequestPath('x.ism/Manifest'), {
      kind: 'manifest',
      ism: 'x.ism',
      format: 'smooth',
    });
    assert.deepEqual(parseRequestPath('x.ism/manifest(format=M3U8-AAPL)'), {
      kind: 'manifest',
      ism: 'x.ism',
      format: 'hls-fmp4',
    });
    assert.deepEqual(parseRequestPath('x.ism/manifest(format=m3u8-aapl-v3)').kind, 'manifest');
    assert.deepEqual(parseRequestPath('x.ism/dash-0123456789ab/init-0.m4s'), {
      kind: 'resource',
      ism: 'x.ism',
      format: 'dash',
      tag: '0123456789ab',
      path: 'init-0.m4s',
    });
    assert.deepEqual(
      parseRequestPath('x.ism/smooth-0123456789ab/QualityLevels(300000)/Fragments(video=0020000000)'),
      {
        kind: 'fragment',
        ism: 'x.ism',
        tag: '0123456789ab',
        key: '300000/video/20000000',
      },
    );
    for (const bad of [
      '',
      'x.ism/',
      'x/y',
      'x.ism/manifest(',
      'x.ism/smooth-0123456789ab/QualityLevels(1)',
    ]) {
      assert.throws(
        () => parseRequestPath(bad),
        (e: { status?: number }) => e.status === 404,
        bad,
      );
    }
    assert.throws(
      () => parseRequestPath('x.ism/manifest()'),
      (e: { status?: number }) => e.status === 400,
    );
  });

  test('parseRange', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-200', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-1000', 100), { start: 0, end: 99 });
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=5-1', 100), undefined);
    assert.equal(parseRange('bytes=0-1,5-6', 100), undefined);
    assert.equal(parseRange('items=0-1', 100), undefined);
  });
});
