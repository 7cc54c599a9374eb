import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { FfmpegTools } from '../../src/media/encoding/ffmpegBinary.js';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import { streamingPlugin } from '../../src/media/streaming/index.js';
import type { LocatorResolver, StreamingAsset } from '../../src/media/streaming/index.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const MODULES = join(import.meta.dirname, '../../node_modules');
/** hls.js's UMD build; dash.js's UMD builds: the player and its Smooth Streaming (MSS) handler. */
const HLS_JS = join(MODULES, 'hls.js/dist/hls.min.js');
const DASH_JS = join(MODULES, 'dashjs/dist/legacy/umd/dash.all.min.js');
const DASH_MSS_JS = join(MODULES, 'dashjs/dist/legacy/umd/dash.mss.min.js');

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>players</title>
<script src="/hls.min.js"></script><script src="/dash.all.min.js"></script><script src="/dash.mss.min.js"></script></head>
<body><script>
  window.errors = [];
  function newVideo() {
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 320;
    video.addEventListener('error', () => window.errors.push('video error ' + (video.error && video.error.message)));
    document.body.appendChild(video);
    return video;
  }
  window.playHls = (url) => {
    const video = newVideo();
    const hls = new Hls();
    hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) window.errors.push('hls.js ' + data.type + ' ' + data.details); });
    hls.on(Hls.Events.MANIFEST_PARSED, (_, data) => { window.hlsLevels = data.levels.length; video.play().catch(() => {}); });
    hls.loadSource(url);
    hls.attachMedia(video);
    window.current = video;
  };
  window.playDash = (url) => {
    const video = newVideo();
    const player = dashjs.MediaPlayer().create();
    player.on(dashjs.MediaPlayer.events.ERROR, (e) => window.errors.push('dash.js ' + JSON.stringify(e.error || e)));
    player.on(dashjs.MediaPlayer.events.STREAM_INITIALIZED, () => {
      window.dashVideoQualities = player.getRepresentationsByType('video').length;
    });
    player.initialize(video, url, true);
    window.current = video;
  };
</script></body></html>`;

async function makeMedia(tools: FfmpegTools, dir: string): Promise<void> {
  const ff = (args: string[]) => run(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  for (const [size, rate] of [
    ['320x240', '300k'],
    ['160x120', '100k'],
  ] as const) {
    await ff([
      ...['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=4`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'],
      ...['-b:v', rate, '-pix_fmt', 'yuv420p', '-an', join(dir, `v${size}.mp4`)],
    ]);
  }
  await ff([
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=4:sample_rate=48000'],
    ...['-ac', '2', '-c:a', 'aac', '-b:a', '64k', join(dir, 'audio.mp4')],
  ]);
  writeFileSync(
    join(dir, 'clip.ism'),
    '<?xml version="1.0" encoding="utf-8"?><smil xmlns="http://www.w3.org/2001/SMIL20/Language"><body><switch>' +
      '<video src="v320x240.mp4"/><video src="v160x120.mp4"/><audio src="audio.mp4"/></switch></body></smil>',
  );
}

const hasChromium = existsSync(CHROMIUM);

describe(
  'players in headless Chromium',
  { skip: hasChromium ? false : `SKIPPED: ${CHROMIUM} IS MISSING — browser playback was NOT tested` },
  () => {
    let dir: string;
    let origin: FastifyInstance;
    let pages: FastifyInstance;
    let browser: Browser;
    let page: Page;
    let streamBase: string;
    let pageBase: string;
    const locator = randomUUID();

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tessera-players-'));
      const media = join(dir, 'media');
      mkdirSync(media);
      const tools = await locateFfmpeg();
      await makeMedia(tools, media);
      const asset: StreamingAsset = {
        assetKey: randomUUID(),
        version: '1',
        protocols: { smooth: true, dash: true, hls: true, progressive: true },
        files: ['v320x240.mp4', 'v160x120.mp4', 'audio.mp4', 'clip.ism'].map((name) => ({
          name,
          path: join(media, name),
          size: statSync(join(media, name)).size,
        })),
      };
      const resolver: LocatorResolver = {
        resolve: async (account, guid) =>
          account === 'acct' && guid === locator ? { kind: 'ok', asset } : { kind: 'notFound' },
      };
      // The origin and the page on different ports: the players fetch cross-origin, as on the web.
      origin = Fastify();
      await origin.register(streamingPlugin, {
        prefix: '/media/:account/streaming',
        resolver,
        cacheDir: join(dir, 'cache'),
        tools: locateFfmpeg,
      });
      await origin.listen({ host: '127.0.0.1', port: 0 });
      pages = Fastify();
      pages.get('/', (_, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
      pages.get('/hls.min.js', (_, reply) => reply.type('text/javascript').send(readFileSync(HLS_JS)));
      pages.get('/dash.all.min.js', (_, reply) => reply.type('text/javascript').send(readFileSync(DASH_JS)));
      pages.get('/dash.mss.min.js', (_, reply) =>
        reply.type('text/javascript').send(readFileSync(DASH_MSS_JS)),
      );
      await pages.listen({ host: '127.0.0.1', port: 0 });
      const port = (app: FastifyInstance) => (app.server.address() as { port: number }).port;
      streamBase = `http://127.0.0.1:${port(origin)}/media/acct/streaming/${locator}/clip.ism/`;
      pageBase = `http://127.0.0.1:${port(pages)}/`;

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
      await browser?.close();
      await origin?.close();
      await pages?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function playUntilPastOneSecond(start: string, url: string, expression?: string): Promise<unknown> {
      page = await browser.newPage();
      const console: string[] = [];
      page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
      try {
        await page.goto(pageBase);
        // The tsconfig has no DOM library: the page code is given as strings.
        await page.evaluate(`window.${start}(${JSON.stringify(url)})`);
        const outcome = await page.waitForFunction(
          `window.errors.length > 0 ? { error: window.errors.join('; ') }
            : window.current && window.current.currentTime > 1 ? { time: window.current.currentTime } : false`,
          undefined,
          { timeout: 90_000, polling: 100 },
        );
        const result = (await outcome.jsonValue()) as { error?: string; time?: number };
        assert.equal(result.error, undefined, `${start}: ${result.error}\n${console.join('\n')}`);
        assert.ok((result.time ?? 0) > 1);
        return expression === undefined ? undefined : await page.evaluate(expression);
      } catch (error) {
        throw new Error(
          `${start} ${url} failed: ${(error as Error).message}\nconsole:\n${console.join('\n')}`,
        );
      } finally {
        await page.close();
      }
    }

    test('hls.js plays the HLS manifest and sees both video renditions', async () => {
      const levels = await playUntilPastOneSecond(
        'playHls',
        `${streamBase}manifest(format=m3u8-aapl)`,
        'window.hlsLevels',
      );
      assert.equal(levels, 2);
    });

    test('dash.js plays the DASH manifest and sees both video renditions', async () => {
      const qualities = await playUntilPastOneSecond(
        'playDash',
        `${streamBase}manifest(format=mpd-time-csf)`,
        'window.dashVideoQualities',
      );
      assert.equal(qualities, 2);
    });

    test('dash.js plays the Smooth Streaming manifest (its MSS handler)', async () => {
      const qualities = await playUntilPastOneSecond(
        'playDash',
        `${streamBase}manifest`,
        'window.dashVideoQualities',
      );
      assert.equal(qualities, 2);
    });
  },
);
