import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { ChannelEndpoints } from '../../src/media/live/liveIngest.js';
import type { LiveHarness, Push } from './livePipelineSupport.js';
import {
  ACCOUNT,
  channelSpec,
  fetchText,
  previewBase,
  pushTestPattern,
  segmentCount,
  startLiveHarness,
  stopAllPushes,
  waitFor,
  waitForText,
} from './livePipelineSupport.js';

const CHROMIUM = '/usr/bin/chromium';
const MODULES = join(import.meta.dirname, '../../node_modules');
const HLS_JS = join(MODULES, 'hls.js/dist/hls.min.js');
const DASH_JS = join(MODULES, 'dashjs/dist/legacy/umd/dash.all.min.js');

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>live</title>
<script src="/hls.min.js"></script><script src="/dash.all.min.js"></script></head>
<body><script>
  window.errors = [];
  window.dateRanges = [];
  function newVideo() {
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 320;
    video.addEventListener('error', () => window.errors.push('video error ' + (video.error && video.error.message)));
    document.body.appendChild(video);
    return video;
  }
  window.playHls = (url) => {
    const video = newVideo();
    const hls = new Hls({ liveSyncDurationCount: 2 });
    hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) window.errors.push('hls.js ' + data.type + ' ' + data.details); });
    hls.on(Hls.Events.LEVEL_UPDATED, (_, data) => {
      const ranges = data.details.dateRanges || {};
      for (const id of Object.keys(ranges)) if (!window.dateRanges.includes(id)) window.dateRanges.push(id);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
    hls.loadSource(url);
    hls.attachMedia(video);
    window.current = video;
  };
  window.playDash = (url) => {
    const video = newVideo();
    const player = dashjs.MediaPlayer().create();
    player.updateSettings({ debug: { logLevel: 0 } });
    player.on(dashjs.MediaPlayer.events.ERROR, (e) => window.errors.push('dash.js ' + JSON.stringify(e.error || e)));
    player.initialize(video, url, true);
    window.current = video;
  };
</script></body></html>`;

const hasChromium = existsSync(CHROMIUM);

/** The colour of a video segment's first picture, averaged to one pixel. */
function firstPictureRgb(ffmpeg: string, init: string, segment: string, dir: string): Promise<number[]> {
  const joined = join(dir, `probe-${randomUUID()}.mp4`);
  writeFileSync(joined, Buffer.concat([readFileSync(init), readFileSync(segment)]));
  return new Promise((resolve, reject) =>
    execFile(
      ffmpeg,
      [
        '-v',
        'error',
        '-i',
        joined,
        '-frames:v',
        '1',
        '-vf',
        'scale=1:1',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        'pipe:1',
      ],
      { encoding: 'buffer' },
      (error, stdout) => (error ? reject(error) : resolve([...stdout.subarray(0, 3)])),
    ),
  );
}

describe(
  'live pipeline in headless Chromium (hls.js)',
  { skip: hasChromium ? false : `SKIPPED: ${CHROMIUM} IS MISSING — live playback was NOT tested` },
  () => {
    let h: LiveHarness;
    let pages: FastifyInstance;
    let browser: Browser;
    let pageBase: string;
    let push: Push | undefined;

    before(async () => {
      h = await startLiveHarness();
      // The page on another port: the player fetches the preview cross-origin, as on the web.
      pages = Fastify();
      pages.get('/', (_, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
      pages.get('/hls.min.js', (_, reply) => reply.type('text/javascript').send(readFileSync(HLS_JS)));
      pages.get('/dash.all.min.js', (_, reply) => reply.type('text/javascript').send(readFileSync(DASH_JS)));
      await pages.listen({ host: '127.0.0.1', port: 0 });
      pageBase = `http://127.0.0.1:${(pages.server.address() as { port: number }).port}/`;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--autoplay-policy=no-user-gesture-required',
        ],
      });
    });

    after(async () => {
      await push?.stop();
      await stopAllPushes();
      await browser?.close();
      await pages?.close();
      await h?.close();
    });

    async function open(
      start: 'playHls' | 'playDash',
      url: string,
    ): Promise<{ page: Page; console: string[] }> {
      const page = await browser.newPage();
      const console: string[] = [];
      page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
      await page.goto(pageBase);
      // The tsconfig has no DOM library: the page code is given as strings.
      await page.evaluate(`window.${start}(${JSON.stringify(url)})`);
      return { page, console };
    }

    /** Waits until playback passes `seconds` (the video's currentTime), failing on a player error. */
    async function playedPast(page: Page, console: string[], seconds: number): Promise<number> {
      const outcome = await page.waitForFunction(
        `window.errors.length > 0 ? { error: window.errors.join('; ') }
          : window.current && window.current.currentTime > ${seconds} ? { time: window.current.currentTime } : false`,
        undefined,
        { timeout: 60_000, polling: 200 },
      );
      const result = (await outcome.jsonValue()) as { error?: string; time?: number };
      assert.equal(result.error, undefined, `${result.error}\n${console.join('\n')}`);
      return result.time ?? 0;
    }

    let endpoints: ChannelEndpoints;
    let channelId: string;

    test('hls.js plays the preview, through a slate and an ad break with a slate, and the cues are in the playlists', async () => {
      const spec = channelSpec();
      channelId = spec.channelId;
      endpoints = await h.live.startChannel(spec, h.origin);
      const base = previewBase(endpoints);
      push = pushTestPattern(h.tools, endpoints.input[0]!.Url, { seconds: 120 });
      await waitForText(`${base}live/video_0.m3u8`, (t) => segmentCount(t) >= 3);

      const { page, console } = await open('playHls', `${base}manifest(format=m3u8-aapl)`);
      try {
        const playing = await playedPast(page, console, 1);

        // A slate from the slate asset's JPEG: a red picture replaces the test pattern.
        const slateAsset = randomUUID();
        const jpeg = join(h.dir, 'slate.jpg');
        await new Promise<void>((resolve, reject) =>
          execFile(
            h.tools.ffmpeg,
            ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=320x180', '-frames:v', '1', '-y', jpeg],
            (error) => (error ? reject(error) : resolve()),
          ),
        );
        await h.blobs.adopt(`asset-${slateAsset}`, 'slate.jpg', jpeg, 'image/jpeg');
        await h.live.showSlate(ACCOUNT, channelId, {
          durationSeconds: 4,
          assetId: `nb:cid:UUID:${slateAsset}`,
        });
        const withSlate = await waitForText(
          `${base}live/video_0.m3u8`,
          (t) => (t.match(/#EXT-X-DISCONTINUITY\n/g) ?? []).length >= 2,
          30_000,
        );
        const slateInit =
          /#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="([^"]+)"[\s\S]*?#EXTINF:[^\n]*\n([^\n]+)/.exec(withSlate);
        assert.ok(slateInit, withSlate);
        const [, initPath, segmentPath] = slateInit;
        const runDir = (path: string) => join(h.dir, 'live', ACCOUNT, channelId.slice(13), 'runs', path);
        const rgb = await firstPictureRgb(
          h.tools.ffmpeg,
          runDir(initPath!.replace(/init\.mp4$/, 'init_0.mp4')),
          runDir(segmentPath!.replace(/(\d+)\.m4s$/, 'seg_$1.m4s')),
          h.dir,
        );
        assert.ok(rgb[0]! > 200 && rgb[1]! < 60 && rgb[2]! < 60, `the slate is red: ${rgb.join(',')}`);

        // An ad break of 4 s with the generated slate, while the player plays on.
        await h.live.startAdvertisement(ACCOUNT, channelId, {
          cueId: 42,
          durationSeconds: 4,
          showSlate: true,
        });
        const cued = await waitForText(
          `${base}live/video_0.m3u8`,
          (t) => t.includes('#EXT-X-CUE-IN'),
          40_000,
        );
        assert.match(
          cued,
          /#EXT-X-DATERANGE:ID="splice-42-\d+",START-DATE="[^"]+",PLANNED-DURATION=4,SCTE35-OUT=0xFC[0-9A-F]+\n#EXT-X-CUE-OUT:4\n/,
        );
        assert.match(cued, /#EXT-X-CUE-OUT-CONT:ElapsedTime=[\d.]+,Duration=4/);
        assert.match(
          cued,
          /#EXT-X-DATERANGE:ID="splice-42-\d+",START-DATE="[^"]+",DURATION=[\d.]+,SCTE35-IN=0xFC[0-9A-F]+\n#EXT-X-CUE-IN\n/,
        );
        const audio = (await fetchText(`${base}live/audio.m3u8`)).text;
        assert.match(audio, /#EXT-X-CUE-OUT:4/);
        const mpd = (await fetchText(`${base}manifest(format=mpd-time-csf)`)).text;
        assert.match(
          mpd,
          /<EventStream schemeIdUri="urn:scte:scte35:2014:xml\+bin" timescale="1000">\s*<Event presentationTime="\d+" duration="4000" id="42"><scte35:Signal><scte35:Binary>[A-Za-z0-9+/=]+<\/scte35:Binary>/,
        );
        assert.ok((mpd.match(/<Period /g) ?? []).length >= 3, 'the slates are periods of their own');

        // hls.js kept playing through both slates and the break, and saw the SCTE-35 date range.
        const after = await playedPast(page, console, playing + 14);
        assert.ok(after > playing + 14);
        const ranges = (await page.evaluate('window.dateRanges')) as string[];
        assert.ok(
          ranges.some((id) => id.startsWith('splice-42-')),
          `date ranges: ${ranges.join(', ')}`,
        );
      } finally {
        await page.close();
      }
    });

    test('dash.js plays the preview across its periods', async () => {
      const { page, console } = await open(
        'playDash',
        `${previewBase(endpoints)}manifest(format=mpd-time-csf)`,
      );
      try {
        const start = await playedPast(page, console, 0.5);
        await playedPast(page, console, start + 4);
      } finally {
        await page.close();
      }
      await push?.stop();
      push = undefined;
      await waitFor('the encoder to be gone', () =>
        h.live.isIngesting(ACCOUNT, channelId) ? undefined : true,
      );
    });
  },
);
