import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { TestBrowser } from '../support/browser.js';
import { launchBrowser } from '../support/browser.js';
import type { MediaFixture } from './support.js';
import { makeClip, media, mediaCaller, startMedia } from './support.js';

/**
 * Real players against Tessera's own streaming endpoint: a 4 s clip goes up through a SAS
 * locator, is encoded with "Adaptive Streaming" by a job, and an origin locator then streams it
 * to hls.js and dash.js in headless Chromium. The page comes from a server of this test on
 * another origin, so every manifest and segment is fetched cross-origin, as from a web player.
 */

const CHROMIUM = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';
const MODULES = join(import.meta.dirname, '../../node_modules');
const BUNDLES: Record<string, string> = {
  'hls.min.js': join(MODULES, 'hls.js/dist/hls.min.js'),
  'dash.all.min.js': join(MODULES, 'dashjs/dist/legacy/umd/dash.all.min.js'),
  'dash.mss.min.js': join(MODULES, 'dashjs/dist/legacy/umd/dash.mss.min.js'),
};

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Tessera players</title>
${Object.keys(BUNDLES)
  .map((name) => `<script src="/${name}"></script>`)
  .join('')}</head>
<body><script>
  window.errors = [];
  function newVideo() {
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 320;
    video.addEventListener('error', () => window.errors.push('video error ' + (video.error && video.error.message)));
    document.body.appendChild(video);
    window.current = video;
    return video;
  }
  window.playHls = (url) => {
    const video = newVideo();
    const hls = new Hls();
    hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) window.errors.push('hls.js ' + data.type + ' ' + data.details); });
    hls.on(Hls.Events.MANIFEST_PARSED, (_, data) => { window.qualities = data.levels.length; video.play().catch(() => {}); });
    hls.loadSource(url);
    hls.attachMedia(video);
  };
  window.playDash = (url) => {
    const video = newVideo();
    const player = dashjs.MediaPlayer().create();
    player.on(dashjs.MediaPlayer.events.ERROR, (e) => window.errors.push('dash.js ' + JSON.stringify(e.error || e)));
    player.on(dashjs.MediaPlayer.events.STREAM_INITIALIZED, () => {
      window.qualities = player.getRepresentationsByType('video').length;
    });
    player.initialize(video, url, true);
  };
  window.playFile = (url) => {
    const video = newVideo();
    video.crossOrigin = 'anonymous';
    video.src = url;
    video.play().catch(() => {});
  };
</script></body></html>`;

interface Entity {
  Id: string;
  [name: string]: unknown;
}
interface Locator extends Entity {
  Path: string;
  BaseUri: string;
  ContentAccessComponent: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hasChromium = existsSync(CHROMIUM);

describe(
  'hls.js and dash.js in headless Chromium, against Tessera’s streaming endpoint',
  { skip: hasChromium ? false : `SKIPPED: ${CHROMIUM} IS MISSING — browser playback was NOT tested` },
  () => {
    let f: MediaFixture;
    let token: string;
    let clip: string;
    let pages: FastifyInstance;
    let pageUrl: string;
    let browser: TestBrowser;
    let origin: Locator;
    let sas: Locator;
    let ism: string;
    let videoFiles: string[];
    let audioFile: string;
    /** How many video layers the server manifest lists: what each player must see. */
    let videoLayers: number;

    const api = <T = Entity>(method: string, path: string, body?: unknown) =>
      media<T>(f, token, method, path, body === undefined ? {} : { body });

    async function upload(): Promise<Entity> {
      const asset = await api('POST', 'Assets', { Name: 'BigBuckBunny.mp4', Options: '0' });
      assert.equal(asset.status, 201, asset.text);
      const policy = await api('POST', 'AccessPolicies', {
        Name: 'write',
        DurationInMinutes: '60',
        Permissions: '2',
      });
      assert.equal(policy.status, 201, policy.text);
      const locator = await api<Locator>('POST', 'Locators', {
        AccessPolicyId: policy.json.Id,
        AssetId: asset.json.Id,
        StartTime: new Date(Date.now() - 60_000).toISOString(),
        Type: 1,
      });
      assert.equal(locator.status, 201, locator.text);
      const put = await fetch(
        `${locator.json.BaseUri}/BigBuckBunny.mp4${locator.json.ContentAccessComponent}`,
        {
          method: 'PUT',
          headers: {
            'x-ms-blob-type': 'BlockBlob',
            'x-ms-version': '2015-02-21',
            'content-type': 'video/mp4',
          },
          body: readFileSync(clip),
        },
      );
      assert.equal(put.status, 201, await put.text());
      const infos = await api('GET', `CreateFileInfos?assetid='${encodeURIComponent(asset.json.Id)}'`);
      assert.equal(infos.status, 204, infos.text);
      assert.equal((await api('DELETE', `Locators('${locator.json.Id}')`)).status, 204);
      return asset.json;
    }

    async function encodeAdaptive(input: Entity): Promise<Entity> {
      const processors = await api<{ value: Entity[] }>(
        'GET',
        `MediaProcessors()?$filter=Name eq 'Media Encoder Standard'`,
      );
      const processor = processors.json.value[0];
      assert.ok(processor, processors.text);
      const job = await api('POST', 'Jobs', {
        Name: 'adaptive',
        'InputMediaAssets@odata.bind': [`${f.api}Assets('${encodeURIComponent(input.Id)}')`],
        Tasks: [
          {
            Name: 'task',
            Configuration: 'Adaptive Streaming',
            MediaProcessorId: processor.Id,
            TaskBody:
              '<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetName="streamed">JobOutputAsset(0)</outputAsset></taskBody>',
          },
        ],
      });
      assert.equal(job.status, 201, job.text);
      const jobPath = `Jobs('${encodeURIComponent(job.json.Id)}')`;
      let state = 0;
      for (let i = 0; i < 600 && state !== 3 && state !== 4; i++) {
        await sleep(100);
        state = Number((await api<{ value: number }>('GET', `${jobPath}/State`)).json.value);
      }
      if (state === 4) {
        const tasks = await api<{ value: Entity[] }>('GET', `${jobPath}/Tasks`);
        assert.fail(`the job failed: ${JSON.stringify(tasks.json.value[0]?.ErrorDetails)}`);
      }
      assert.equal(state, 3, 'the job finished');
      const outputs = await api<{ value: Entity[] }>('GET', `${jobPath}/OutputMediaAssets`);
      const output = outputs.json.value[0];
      assert.ok(output, outputs.text);
      return output;
    }

    before(async () => {
      // Made before the server serves anything: makeClip runs ffmpeg synchronously.
      clip = makeClip({ seconds: 4, width: 320, height: 240 });
      f = await startMedia();
      ({ token } = await mediaCaller(f, { displayName: 'player-tests', role: 'Contributor' }));
      const output = await encodeAdaptive(await upload());
      const files = await api<{ value: Entity[] }>('GET', `Assets('${encodeURIComponent(output.Id)}')/Files`);
      const names = files.json.value.map((file) => file.Name as string);
      ism = names.find((n) => n.endsWith('.ism')) ?? assert.fail(names.join(','));
      const read = await api('POST', 'AccessPolicies', {
        Name: 'read',
        DurationInMinutes: 60,
        Permissions: 1,
      });
      assert.equal(read.status, 201, read.text);
      const streaming = await api<Locator>('POST', 'Locators', {
        AccessPolicyId: read.json.Id,
        AssetId: output.Id,
        Type: 2,
      });
      assert.equal(streaming.status, 201, streaming.text);
      origin = streaming.json;
      assert.equal(
        origin.Path,
        `${f.t.origin}/media/${f.account}/streaming/${origin.ContentAccessComponent}/`,
      );
      const download = await api<Locator>('POST', 'Locators', {
        AccessPolicyId: read.json.Id,
        AssetId: output.Id,
        Type: 1,
      });
      assert.equal(download.status, 201, download.text);
      sas = download.json;

      // The server manifest, read back through the SAS locator, names the layers the players must see.
      const serverManifest = await fetch(`${sas.BaseUri}/${ism}${sas.ContentAccessComponent}`);
      assert.equal(serverManifest.status, 200);
      const smil = await serverManifest.text();
      const sources = (kind: string) =>
        [...smil.matchAll(new RegExp(`<${kind}\\b[^>]*\\bsrc="([^"]+)"`, 'g'))].map((m) => m[1]!);
      videoFiles = sources('video');
      audioFile = sources('audio')[0] ?? assert.fail(smil);
      videoLayers = videoFiles.length;
      assert.ok(videoLayers >= 2, smil);
      for (const name of [...videoFiles, audioFile])
        assert.ok(names.includes(name), `${name} in ${names.join(',')}`);

      pages = Fastify();
      pages.get('/', (_, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
      for (const [name, path] of Object.entries(BUNDLES)) {
        pages.get(`/${name}`, (_, reply) => reply.type('text/javascript').send(readFileSync(path)));
      }
      await pages.listen({ host: '127.0.0.1', port: 0 });
      pageUrl = `http://127.0.0.1:${(pages.server.address() as { port: number }).port}/`;
      browser = await launchBrowser(f.t);
    });

    after(async () => {
      await browser?.close();
      await pages?.close();
      await f?.t.stop();
      if (clip) rmSync(dirname(clip), { recursive: true, force: true });
    });

    /** Loads the page, starts a player and waits until the video has played past one second. */
    async function playPastOneSecond(
      start: string,
      url: string,
    ): Promise<{ qualities: unknown; responses: Array<{ url: string; status: number; range?: string }> }> {
      const page = await browser.context.newPage();
      const responses: Array<{ url: string; status: number; range?: string }> = [];
      page.on('response', (response) => {
        if (!response.url().startsWith(origin.Path)) return;
        const range = response.request().headers()['range'];
        responses.push({ url: response.url(), status: response.status(), ...(range ? { range } : {}) });
      });
      const console: string[] = [];
      page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
      const failed: string[] = [];
      page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText}`));
      try {
        await page.goto(pageUrl);
        // The tsconfig has no DOM library: the page code is given as strings.
        await page.evaluate(`window.${start}(${JSON.stringify(url)})`);
        const outcome = await page.waitForFunction(
          `window.errors.length > 0 ? { error: window.errors.join('; ') }
            : window.current && window.current.currentTime > 1 ? { time: window.current.currentTime } : false`,
          undefined,
          { timeout: 30_000, polling: 100 },
        );
        const result = (await outcome.jsonValue()) as { error?: string; time?: number };
        assert.equal(result.error, undefined, result.error);
        assert.ok((result.time ?? 0) > 1, `currentTime ${result.time}`);
        return { qualities: await page.evaluate('window.qualities'), responses };
      } catch (error) {
        throw new Error(
          `${start}(${url}): ${(error as Error).message}\nfailed requests:\n${failed.join('\n')}\nconsole:\n${console.join('\n')}`,
        );
      } finally {
        await page.close();
      }
    }

    test('hls.js plays the HLS manifest (format=m3u8-aapl) past one second, with every video layer', async () => {
      const { qualities } = await playPastOneSecond(
        'playHls',
        `${origin.Path}${ism}/manifest(format=m3u8-aapl)`,
      );
      assert.equal(qualities, videoLayers);
    });

    test('dash.js plays the DASH manifest (format=mpd-time-csf) past one second, with every video layer', async () => {
      const { qualities } = await playPastOneSecond(
        'playDash',
        `${origin.Path}${ism}/manifest(format=mpd-time-csf)`,
      );
      assert.equal(qualities, videoLayers);
    });

    test('dash.js with its MSS handler plays the Smooth Streaming manifest past one second', async () => {
      const { qualities } = await playPastOneSecond('playDash', `${origin.Path}${ism}/manifest`);
      assert.equal(qualities, videoLayers);
    });

    test('a CORS video element plays the progressive download past one second (ranged fetches)', async () => {
      const url = `${origin.Path}${encodeURIComponent(videoFiles[0]!)}`;
      const { responses } = await playPastOneSecond('playFile', url);
      const ranged = responses.filter((r) => r.url === url && r.range !== undefined);
      assert.ok(ranged.length > 0, JSON.stringify(responses));
      assert.ok(
        ranged.every((r) => r.status === 206),
        JSON.stringify(responses),
      );
    });

    test('manifests and segments answer a cross-origin GET with CORS headers, and the preflight for Range', async () => {
      const manifest = await fetch(`${origin.Path}${ism}/manifest(format=m3u8-aapl)`, {
        headers: { origin: 'https://player.example' },
      });
      assert.equal(manifest.status, 200);
      assert.equal(manifest.headers.get('access-control-allow-origin'), '*');
      assert.match(manifest.headers.get('content-type') ?? '', /mpegurl/i);
      const master = await manifest.text();
      const variant = master.split('\n').find((line) => line !== '' && !line.startsWith('#'));
      assert.ok(variant, master);
      const playlist = await fetch(new URL(variant, manifest.url), {
        headers: { origin: 'https://player.example' },
      });
      assert.equal(playlist.status, 200);
      assert.equal(playlist.headers.get('access-control-allow-origin'), '*');
      const text = await playlist.text();
      const segment = text.split('\n').find((line) => line.endsWith('.m4s'));
      assert.ok(segment, text);
      const bytes = await fetch(new URL(segment, playlist.url), {
        headers: { origin: 'https://player.example' },
      });
      assert.equal(bytes.status, 200);
      assert.equal(bytes.headers.get('access-control-allow-origin'), '*');
      assert.match(bytes.headers.get('access-control-expose-headers') ?? '', /Content-Range/i);
      assert.ok((await bytes.arrayBuffer()).byteLength > 0);

      const preflight = await fetch(`${origin.Path}${ism}/manifest(format=mpd-time-csf)`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://player.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'range',
        },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /range/i);
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /GET/);
    });

    test('progressive download through the origin locator answers ranges with 206 and the exact bytes', async () => {
      const name = videoFiles[0]!;
      const whole = await fetch(`${sas.BaseUri}/${name}${sas.ContentAccessComponent}`);
      assert.equal(whole.status, 200);
      const content = Buffer.from(await whole.arrayBuffer());
      const url = `${origin.Path}${encodeURIComponent(name)}`;

      const full = await fetch(url);
      assert.equal(full.status, 200);
      assert.equal(full.headers.get('accept-ranges'), 'bytes');
      assert.match(full.headers.get('content-type') ?? '', /^video\/mp4/);
      assert.ok(Buffer.from(await full.arrayBuffer()).equals(content), 'the whole file through the origin');

      const middle = await fetch(url, { headers: { range: 'bytes=100-1123' } });
      assert.equal(middle.status, 206);
      assert.equal(middle.headers.get('content-range'), `bytes 100-1123/${content.length}`);
      assert.equal(middle.headers.get('content-length'), '1024');
      assert.ok(Buffer.from(await middle.arrayBuffer()).equals(content.subarray(100, 1124)));

      const open = await fetch(url, { headers: { range: `bytes=${content.length - 10}-` } });
      assert.equal(open.status, 206);
      assert.ok(Buffer.from(await open.arrayBuffer()).equals(content.subarray(content.length - 10)));

      const suffix = await fetch(url, { headers: { range: 'bytes=-300' } });
      assert.equal(suffix.status, 206);
      assert.equal(
        suffix.headers.get('content-range'),
        `bytes ${content.length - 300}-${content.length - 1}/${content.length}`,
      );
      assert.ok(Buffer.from(await suffix.arrayBuffer()).equals(content.subarray(content.length - 300)));

      const beyond = await fetch(url, { headers: { range: `bytes=${content.length}-` } });
      assert.equal(beyond.status, 416);
      assert.equal(beyond.headers.get('content-range'), `bytes */${content.length}`);
      await beyond.arrayBuffer();

      // A validator the client holds: unchanged content answers 304, a stale If-Range the whole file.
      const etag = full.headers.get('etag') ?? assert.fail('no ETag');
      const cached = await fetch(url, { headers: { 'if-none-match': etag } });
      assert.equal(cached.status, 304);
      const stale = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"other"' } });
      assert.equal(stale.status, 200);
      assert.equal(Buffer.from(await stale.arrayBuffer()).length, content.length);

      const missing = await fetch(`${origin.Path}no-such-file.mp4`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('access-control-allow-origin'), '*');
      await missing.arrayBuffer();
    });

    test('SAS download answers Range and x-ms-range with 206 and the exact bytes', async () => {
      const name = audioFile;
      const url = `${sas.BaseUri}/${name}${sas.ContentAccessComponent}`;
      const whole = await fetch(url);
      assert.equal(whole.status, 200);
      const content = Buffer.from(await whole.arrayBuffer());
      assert.ok(content.length > 2000, `${content.length} bytes`);

      const ranged = await fetch(url, { headers: { range: 'bytes=512-1535', 'x-ms-version': '2015-02-21' } });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.headers.get('content-range'), `bytes 512-1535/${content.length}`);
      assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(content.subarray(512, 1536)));

      const ms = await fetch(url, { headers: { 'x-ms-range': 'bytes=0-99', range: 'bytes=1000-1099' } });
      assert.equal(ms.status, 206);
      assert.ok(Buffer.from(await ms.arrayBuffer()).equals(content.subarray(0, 100)), 'x-ms-range wins');

      const tail = await fetch(url, {
        headers: { range: `bytes=${content.length - 7}-${content.length + 100}` },
      });
      assert.equal(tail.status, 206);
      assert.ok(Buffer.from(await tail.arrayBuffer()).equals(content.subarray(content.length - 7)));

      const beyond = await fetch(url, { headers: { range: `bytes=${content.length}-` } });
      assert.equal(beyond.status, 416);
      await beyond.arrayBuffer();

      // The SAS is the only credential: without it the container does not exist.
      const anonymous = await fetch(`${sas.BaseUri}/${name}`, { headers: { range: 'bytes=0-9' } });
      assert.equal(anonymous.status, 404);
      await anonymous.arrayBuffer();
      // A SAS locator does not stream, and an origin locator is no SAS.
      const notOrigin = await fetch(
        `${f.t.origin}/media/${f.account}/streaming/${sas.Id.split(':').pop()}/${name}`,
      );
      assert.equal(notOrigin.status, 404);
      await notOrigin.arrayBuffer();
    });

    test('a deleted origin locator stops streaming at once', async () => {
      const read = await api('POST', 'AccessPolicies', {
        Name: 'short',
        DurationInMinutes: 60,
        Permissions: 1,
      });
      const assetId = origin.AssetId as string;
      const extra = await api<Locator>('POST', 'Locators', {
        AccessPolicyId: read.json.Id,
        AssetId: assetId,
        Type: 2,
      });
      assert.equal(extra.status, 201, extra.text);
      const url = `${extra.json.Path}${ism}/manifest(format=m3u8-aapl)`;
      const before = await fetch(url);
      assert.equal(before.status, 200);
      await before.arrayBuffer();
      assert.equal((await api('DELETE', `Locators('${encodeURIComponent(extra.json.Id)}')`)).status, 204);
      const afterDelete = await fetch(url);
      assert.equal(afterDelete.status, 404);
      assert.equal(afterDelete.headers.get('access-control-allow-origin'), '*');
      await afterDelete.arrayBuffer();
      const segmentOfOther = await fetch(`${extra.json.Path}${encodeURIComponent(videoFiles[0]!)}`, {
        headers: { range: 'bytes=0-9' },
      });
      assert.equal(segmentOfOther.status, 404);
      await segmentOfOther.arrayBuffer();
    });

    // Last: it changes the asset the other tests stream.
    test('a file of the asset uploaded again (same name, same size) is streamed anew: new bytes, new package URLs', async () => {
      const master = async () => {
        const response = await fetch(`${origin.Path}${ism}/manifest(format=m3u8-aapl)`);
        assert.equal(response.status, 200);
        return response.text();
      };
      const before = await master();
      const oldTag = /hls-fmp4-[0-9a-f]{12}\//.exec(before)?.[0] ?? assert.fail(before);
      const variant = before.split('\n').find((line) => line.startsWith(oldTag)) ?? assert.fail(before);
      const oldVariant = await fetch(new URL(variant, `${origin.Path}${ism}/`));
      assert.equal(oldVariant.status, 200);
      await oldVariant.arrayBuffer();

      // The encoder's manifest XML, one byte changed: the same size, other content.
      const name = (
        await api<{ value: Entity[] }>(
          'GET',
          `Assets('${encodeURIComponent(origin.AssetId as string)}')/Files`,
        )
      ).json.value
        .map((file) => file.Name as string)
        .find((n) => n.endsWith('_manifest.xml'));
      assert.ok(name);
      const original = Buffer.from(
        await (await fetch(`${sas.BaseUri}/${name}${sas.ContentAccessComponent}`)).arrayBuffer(),
      );
      const changed = Buffer.from(original);
      changed[changed.length - 2] = changed[changed.length - 2] === 0x20 ? 0x0a : 0x20;
      const write = await api('POST', 'AccessPolicies', {
        Name: 'rewrite',
        DurationInMinutes: 60,
        Permissions: 2,
      });
      const writer = await api<Locator>('POST', 'Locators', {
        AccessPolicyId: write.json.Id,
        AssetId: origin.AssetId,
        StartTime: new Date(Date.now() - 60_000).toISOString(),
        Type: 1,
      });
      assert.equal(writer.status, 201, writer.text);
      const put = await fetch(`${writer.json.BaseUri}/${name}${writer.json.ContentAccessComponent}`, {
        method: 'PUT',
        headers: { 'x-ms-blob-type': 'BlockBlob' },
        body: changed,
      });
      assert.equal(put.status, 201, await put.text());

      const progressive = await fetch(`${origin.Path}${encodeURIComponent(name)}`);
      assert.equal(progressive.status, 200);
      assert.ok(Buffer.from(await progressive.arrayBuffer()).equals(changed), 'the new bytes');
      const after = await master();
      const newTag = /hls-fmp4-[0-9a-f]{12}\//.exec(after)?.[0] ?? assert.fail(after);
      assert.notEqual(newTag, oldTag, 'the packages of the old files are not served as the new ones');
      const stale = await fetch(new URL(variant, `${origin.Path}${ism}/`));
      assert.equal(stale.status, 404);
      await stale.arrayBuffer();
      const fresh = await fetch(new URL(variant.replace(oldTag, newTag), `${origin.Path}${ism}/`));
      assert.equal(fresh.status, 200);
      await fresh.arrayBuffer();
    });
  },
);
