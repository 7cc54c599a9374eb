import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { MediaFixture } from './support.js';
import { makeClip, media, mediaCaller, startMedia, uploadAsset } from './support.js';

interface Entity {
  Id: string;
  [name: string]: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** ffprobe's view of a URL or file (asynchronously: the server under test shares this process). */
async function probe(
  target: string,
): Promise<{ streams: Array<Record<string, unknown>>; format: { duration: string } }> {
  const { stdout } = await promisify(execFile)('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    '-show_format',
    target,
  ]);
  return JSON.parse(stdout) as { streams: Array<Record<string, unknown>>; format: { duration: string } };
}

describe('Media Services v2 on demand: upload, encode, deliver', () => {
  let f: MediaFixture;
  let token: string;
  let clip: string;

  before(async () => {
    f = await startMedia();
    ({ token } = await mediaCaller(f, { displayName: 'uploader', role: 'Contributor' }));
    clip = makeClip({ seconds: 3 });
  });
  after(() => f.t.stop());

  async function upload(): Promise<Entity> {
    const asset = { json: await uploadAsset(f, token, clip) };
    const files = await media<{ value: Entity[] }>(
      f,
      token,
      'GET',
      `Assets('${encodeURIComponent(asset.json.Id)}')/Files`,
    );
    assert.equal(files.status, 200, files.text);
    assert.equal(files.json.value.length, 1);
    assert.equal(files.json.value[0]?.Name, 'BigBuckBunny.mp4');
    assert.equal(files.json.value[0]?.ContentFileSize, String(readFileSync(clip).length));
    return asset.json;
  }

  async function encode(
    input: Entity,
    preset: string,
  ): Promise<{ job: Entity; output: Entity; progress: number[] }> {
    const processors = await media<{ value: Entity[] }>(
      f,
      token,
      'GET',
      `MediaProcessors()?$filter=Name eq 'Media Encoder Standard'`,
    );
    assert.equal(processors.status, 200, processors.text);
    const processor = processors.json.value[0];
    assert.equal(processor?.Id, 'nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56');
    const job = await media<Entity>(f, token, 'POST', 'Jobs', {
      dialect: 'verbose',
      body: {
        Name: `encode ${preset}`,
        InputMediaAssets: [{ __metadata: { uri: `${f.api}Assets('${encodeURIComponent(input.Id)}')` } }],
        Tasks: [
          {
            Name: 'task',
            Configuration: preset,
            MediaProcessorId: processor.Id,
            TaskBody:
              '<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetName="out">JobOutputAsset(0)</outputAsset></taskBody>',
          },
        ],
      },
    });
    assert.equal(job.status, 201, job.text);
    const created = (job.json as unknown as { d: Entity }).d;
    const jobPath = `Jobs('${encodeURIComponent(created.Id)}')`;
    const progress: number[] = [];
    let state = 0;
    for (let i = 0; i < 600 && state !== 3 && state !== 4; i++) {
      const tasks = await media<{ value: Entity[] }>(f, token, 'GET', `${jobPath}/Tasks`);
      progress.push(Number(tasks.json.value[0]?.Progress ?? 0));
      const single = await media<{ value: number }>(f, token, 'GET', `${jobPath}/State`);
      state = Number(single.json.value);
      if (state === 4) assert.fail(`job failed: ${JSON.stringify(tasks.json.value[0]?.ErrorDetails)}`);
      await sleep(100);
    }
    assert.equal(state, 3, 'the job finished');
    const outputs = await media<{ value: Entity[] }>(f, token, 'GET', `${jobPath}/OutputMediaAssets`);
    const output = outputs.json.value[0];
    assert.ok(output);
    return { job: created, output, progress };
  }

  test('a service principal with Contributor uploads, encodes H264 Single Bitrate 720p and downloads through SAS', async () => {
    const asset = await upload();
    const { output, progress } = await encode(asset, 'H264 Single Bitrate 720p');
    assert.ok(
      progress.some((p) => p > 0 && p < 100) || progress.at(-1) === 100,
      `progress ${progress.join(',')}`,
    );
    const files = await media<{ value: Entity[] }>(
      f,
      token,
      'GET',
      `Assets('${encodeURIComponent(output.Id)}')/Files`,
    );
    const names = files.json.value.map((file) => file.Name as string).sort();
    const mp4 = names.find((n) => n.endsWith('.mp4'));
    assert.ok(mp4, names.join(','));
    assert.ok(
      names.some((n) => n.endsWith('_manifest.xml')),
      names.join(','),
    );
    assert.ok(
      names.some((n) => n.endsWith('_metadata.xml')),
      names.join(','),
    );
    const read = await media<Entity>(f, token, 'POST', 'AccessPolicies', {
      body: { Name: 'read', DurationInMinutes: 60, Permissions: 1 },
    });
    const sas = await media<Entity & { BaseUri: string; ContentAccessComponent: string }>(
      f,
      token,
      'POST',
      'Locators',
      {
        body: { AccessPolicyId: read.json.Id, AssetId: output.Id, Type: 1 },
      },
    );
    assert.equal(sas.status, 201, sas.text);
    const url = `${sas.json.BaseUri}/${mp4}${sas.json.ContentAccessComponent}`;
    const info = await probe(url);
    const video = info.streams.find((s) => s.codec_type === 'video');
    const audio = info.streams.find((s) => s.codec_type === 'audio');
    assert.equal(video?.codec_name, 'h264');
    // The 720p preset never upscales: the 320x240 source keeps its size.
    assert.equal(video?.width, 320);
    assert.equal(video?.height, 240);
    assert.equal(audio?.codec_name, 'aac');
    assert.ok(Math.abs(Number(info.format.duration) - 3) < 0.5, info.format.duration);
  });

  test('an Adaptive Streaming output plays as HLS and DASH through an origin locator', async () => {
    const asset = await upload();
    const { output } = await encode(asset, 'Adaptive Streaming');
    const read = await media<Entity>(f, token, 'POST', 'AccessPolicies', {
      body: { Name: 'stream', DurationInMinutes: 60, Permissions: 1 },
    });
    const origin = await media<Entity & { Path: string }>(f, token, 'POST', 'Locators', {
      body: { AccessPolicyId: read.json.Id, AssetId: output.Id, Type: 2 },
    });
    assert.equal(origin.status, 201, origin.text);
    const files = await media<{ value: Entity[] }>(
      f,
      token,
      'GET',
      `Assets('${encodeURIComponent(output.Id)}')/Files`,
    );
    const ism = files.json.value.map((file) => file.Name as string).find((n) => n.endsWith('.ism'));
    assert.ok(ism);
    for (const format of ['m3u8-aapl', 'mpd-time-csf']) {
      const url = `${origin.json.Path}${ism}/manifest(format=${format})`;
      // Played to the end: every segment fetched and decoded.
      await promisify(execFile)('ffmpeg', ['-v', 'error', '-i', url, '-f', 'null', '-']);
      const info = await probe(url);
      assert.ok(
        info.streams.some((s) => s.codec_type === 'video'),
        `${format}: ${JSON.stringify(info.streams)}`,
      );
      assert.ok(Math.abs(Number(info.format.duration) - 3) < 0.6, `${format}: ${info.format.duration}`);
    }
  });
});
