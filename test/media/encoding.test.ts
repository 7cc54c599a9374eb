import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encode } from '../../src/media/encoding/encoder.js';
import type { EncodeResult } from '../../src/media/encoding/encoder.js';
import { EncodingError, isAbortError } from '../../src/media/encoding/errors.js';
import type { FfmpegTools } from '../../src/media/encoding/ffmpegBinary.js';
import { locateFfmpeg } from '../../src/media/encoding/ffmpegBinary.js';
import { adaptiveLadder } from '../../src/media/encoding/ladder.js';
import { probe } from '../../src/media/encoding/probe.js';
import { parseServerManifest } from '../../src/media/encoding/serverManifest.js';

// Encodes tiny clips with the machine's ffmpeg (5.x) and with the npm package's 4.1 build, and
// checks the files with ffprobe.

const NPM_FFMPEG = join(import.meta.dirname, '../../node_modules/@ffmpeg-installer/linux-x64/ffmpeg');
const NPM_FFPROBE = join(import.meta.dirname, '../../node_modules/@ffprobe-installer/linux-x64/ffprobe');
const GUID = '8f9e2a4c-1d3b-4c5e-9f60-7a8b9c0d1e2f';

interface Stream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  profile?: string;
}

let root: string;
let tools: FfmpegTools;
let npmTools: FfmpegTools;
let clip: string; // 2 s 320x240 25 fps + stereo AAC
let hd: string; // 1 s 1280x720 23.976 fps + AAC
let silent: string; // 5 s 160x120, no audio
let long: string; // 30 s 320x240 + AAC, to cancel
let outputs = 0;

const ffmpeg = (...args: string[]): void => {
  execFileSync(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
};

function streams(file: string): Stream[] {
  const out = execFileSync(tools.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', file], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { streams: Stream[] }).streams;
}

/** Key frame times of the first video stream. */
function keyFrames(file: string): number[] {
  const out = execFileSync(
    tools.ffprobe,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-skip_frame',
      'nokey',
      '-show_entries',
      'frame=pts_time',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  const { frames } = JSON.parse(out) as { frames: { pts_time: string }[] };
  return frames.map((f) => Math.round(Number(f.pts_time) * 100) / 100);
}

function ffmpegChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').filter((line) => /ffmpeg/.test(line));
}

const newOutputDir = (): string => join(root, `out${++outputs}`);

interface Run {
  result: EncodeResult;
  dir: string;
  progress: number[];
}

async function run(configuration: string, input: string, using = tools): Promise<Run> {
  const dir = newOutputDir();
  const progress: number[] = [];
  const name = input.slice(input.lastIndexOf('/') + 1);
  const result = await encode(using, {
    inputs: [{ name, path: input }],
    inputAssetGuid: `nb:cid:UUID:${GUID}`,
    configuration,
    outputDir: dir,
    signal: new AbortController().signal,
    onProgress: (p) => progress.push(p),
  });
  return { result, dir, progress };
}

function assertCommon({ result, dir, progress }: Run): void {
  const onDisk = readdirSync(dir).sort();
  assert.deepEqual(
    onDisk,
    result.files.map((f) => f.name).sort(),
    'exactly the reported files, no scratch folder',
  );
  for (const file of result.files) assert.equal(statSync(join(dir, file.name)).size, file.size, file.name);
  assert.equal(result.files.filter((f) => f.isPrimary).length, 1);
  assert.ok(result.files.some((f) => f.name === `${GUID}_metadata.xml`));
  assert.ok(progress.length >= 2, `progress ${progress.join(',')}`);
  assert.equal(progress.at(-1), 100);
  for (let i = 1; i < progress.length; i++)
    assert.ok(progress[i]! > progress[i - 1]!, `rising: ${progress.join(',')}`);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the encode to fail');
}

describe('encoding with ffmpeg', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'tessera-encoding-'));
  });
  before(async () => {
    tools = await locateFfmpeg();
    const version = execFileSync(NPM_FFMPEG, ['-hide_banner', '-version'], { encoding: 'utf8' }).split(
      '\n',
    )[0]!;
    npmTools = { ffmpeg: NPM_FFMPEG, ffprobe: NPM_FFPROBE, source: 'npm', version };
    clip = join(root, 'clip.mp4');
    hd = join(root, 'hd.mp4');
    silent = join(root, 'silent.mp4');
    long = join(root, 'long.mp4');
    const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
    const aac = ['-c:a', 'aac', '-ac', '2', '-shortest'];
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=25:duration=2',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=2',
      ...x264,
      ...aac,
      clip,
    );
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=24000/1001:duration=1',
      '-f',
      'lavfi',
      '-i',
      'sine=duration=1',
      ...x264,
      ...aac,
      hd,
    );
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=5', ...x264, silent);
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=25:duration=30',
      '-f',
      'lavfi',
      '-i',
      'sine=duration=30',
      ...x264,
      ...aac,
      long,
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('"H264 Single Bitrate 720p": one MP4 capped at the input size, the metadata files and a server manifest', async () => {
    const done = await run('H264 Single Bitrate 720p', clip);
    assertCommon(done);
    const { result, dir } = done;
    assert.deepEqual(
      result.files.map((f) => [f.name, f.mimeType, f.isPrimary]),
      [
        ['clip_320x240_4500.mp4', 'video/mp4', false],
        [`${GUID}_metadata.xml`, 'application/xml', false],
        ['clip_manifest.xml', 'application/xml', false],
        ['clip.ism', 'application/octet-stream', true],
      ],
    );
    const [video, audio] = streams(join(dir, 'clip_320x240_4500.mp4'));
    assert.deepEqual([video!.codec_name, video!.width, video!.height], ['h264', 320, 240]);
    assert.deepEqual(
      [audio!.codec_name, audio!.profile, audio!.sample_rate, audio!.channels],
      ['aac', 'LC', '48000', 2],
    );

    const ism = parseServerManifest(readFileSync(join(dir, 'clip.ism'), 'utf8'));
    assert.equal(ism.video.length, 1);
    assert.deepEqual(
      [ism.video[0]!.src, ism.video[0]!.width, ism.video[0]!.height, ism.video[0]!.trackId],
      ['clip_320x240_4500.mp4', 320, 240, 1],
    );
    assert.ok(ism.video[0]!.bitrate > 0);
    assert.deepEqual([ism.audio[0]!.src, ism.audio[0]!.trackId], ['clip_320x240_4500.mp4', 2]);

    const manifest = readFileSync(join(dir, 'clip_manifest.xml'), 'utf8');
    assert.match(
      manifest,
      /xmlns="http:\/\/schemas\.microsoft\.com\/windowsazure\/mediaservices\/2013\/05\/mediaencoder\/metadata"/,
    );
    assert.match(manifest, /<AssetFile Name="clip_320x240_4500\.mp4" Size="\d+" Duration="PT2\.\d+S">/);
    assert.match(manifest, /<Source Name="clip\.mp4" \/>/);
    assert.match(
      manifest,
      /<VideoTrack Id="0" FourCC="AVC1" Profile="High" Level="[\d.]+" Width="320" Height="240" DisplayAspectRatioNumerator="4" DisplayAspectRatioDenominator="3" Framerate="25\.000" TargetFramerate="25\.000" Bitrate="\d+" TargetBitrate="4500" \/>/,
    );
    assert.match(
      manifest,
      /<AudioTrack Id="0" Codec="AacLc" Channels="2" SamplingRate="48000" Bitrate="\d+" BitsPerSample="16" \/>/,
    );
    const metadata = readFileSync(join(dir, `${GUID}_metadata.xml`), 'utf8');
    assert.match(
      metadata,
      /<AssetFile Name="clip\.mp4" Size="\d+" Duration="PT2S" NumberOfStreams="2" FormatNames="mov,mp4,m4a,3gp,3g2,mj2"/,
    );
    assert.match(
      metadata,
      /<VideoTrack Id="0" Codec="h264" .*Width="320" Height="240" .*FrameRate="25\.000"/,
    );
    assert.match(metadata, /<AudioTrack Id="1" Codec="aac" .*Channels="2" SamplingRate="44100"/);
    assert.match(
      result.perfMessage,
      /^Encoded 2\.000 s of 'clip\.mp4' \(320x240 25\.000 fps\) with "H264 Single Bitrate 720p" into 1 file \(1 H\.264 layer, AAC audio\)/,
    );
    assert.match(result.perfMessage, /sized down to fit it/);
  });

  it('"H264 Multiple Bitrate 720p" with the npm ffmpeg 4.1: six layers at the published sizes', async () => {
    const done = await run('H264 Multiple Bitrate 720p', hd, npmTools);
    assertCommon(done);
    const mp4s = done.result.files.filter((f) => f.name.endsWith('.mp4')).map((f) => f.name);
    assert.deepEqual(mp4s, [
      'hd_1280x720_3400.mp4',
      'hd_960x540_2250.mp4',
      'hd_960x540_1500.mp4',
      'hd_640x360_1000.mp4',
      'hd_640x360_650.mp4',
      'hd_320x180_400.mp4',
    ]);
    for (const name of mp4s) {
      const [width, height] = name.split('_')[1]!.split('x').map(Number);
      const [video, audio] = streams(join(done.dir, name));
      assert.deepEqual(
        [video!.codec_name, video!.width, video!.height, audio!.codec_name],
        ['h264', width, height, 'aac'],
        name,
      );
    }
    const ism = parseServerManifest(readFileSync(join(done.dir, 'hd.ism'), 'utf8'));
    assert.deepEqual(
      ism.video.map((v) => v.src),
      mp4s,
    );
    assert.deepEqual(
      ism.audio.map((a) => [a.src, a.trackId]),
      [['hd_1280x720_3400.mp4', 2]],
    );
  });

  it('"Adaptive Streaming": the ladder stops at the input, and the audio has its own MP4', async () => {
    const done = await run('Adaptive Streaming', clip);
    assertCommon(done);
    // The ladder depends on the clip's own bitrate (ladder.ts caps it there; its rule is tested alone).
    const ladder = adaptiveLadder((await probe(tools, clip)).video!);
    assert.deepEqual(
      ladder.map((r) => `${r.width}x${r.height}`),
      ['320x240', '240x180'],
    );
    const videos = ladder.map((r) => `clip_${r.width}x${r.height}_${r.bitrate}.mp4`);
    const names = done.result.files.map((f) => f.name);
    assert.deepEqual(
      names.filter((n) => n.endsWith('.mp4')),
      [...videos, 'clip_AAC_128.mp4'],
    );
    for (const name of videos)
      assert.deepEqual(
        streams(join(done.dir, name)).map((s) => s.codec_type),
        ['video'],
        name,
      );
    assert.deepEqual(
      streams(join(done.dir, 'clip_AAC_128.mp4')).map((s) => s.codec_type),
      ['audio'],
    );
    const ism = parseServerManifest(readFileSync(join(done.dir, 'clip.ism'), 'utf8'));
    assert.deepEqual(
      ism.video.map((v) => `${v.src} ${v.width}x${v.height}`),
      videos.map((v, i) => `${v} ${ladder[i]!.width}x${ladder[i]!.height}`),
    );
    assert.deepEqual(
      ism.audio.map((a) => [a.src, a.trackId]),
      [['clip_AAC_128.mp4', 1]],
    );
  });

  it('layers share their key frames (fixed GOPs), and an input without audio gives video-only files', async () => {
    const preset = {
      Version: 1.0,
      Codecs: [
        {
          Type: 'H264Video',
          KeyFrameInterval: '00:00:01',
          Complexity: 'Speed',
          H264Layers: [
            { Type: 'H264Layer', Bitrate: 300, Width: 160, Height: 120 },
            { Type: 'H264Layer', Bitrate: 150, Width: 80, Height: 60 },
          ],
        },
        { Type: 'AACAudio', Bitrate: 96 },
      ],
      Outputs: [{ FileName: '{Basename}_{Resolution}_{Bitrate}.mp4', Format: { Type: 'MP4Format' } }],
    };
    const done = await run(JSON.stringify(preset), silent);
    assertCommon(done);
    for (const name of ['silent_160x120_300.mp4', 'silent_80x60_150.mp4']) {
      assert.deepEqual(keyFrames(join(done.dir, name)), [0, 1, 2, 3, 4], name);
      assert.deepEqual(
        streams(join(done.dir, name)).map((s) => s.codec_type),
        ['video'],
      );
    }
  });

  it('a custom preset with PNG and JPG thumbnails, with the npm ffmpeg 4.1', async () => {
    const preset = {
      Version: 1.0,
      Codecs: [
        {
          Type: 'H264Video',
          Complexity: 'Speed',
          H264Layers: [{ Type: 'H264Layer', Bitrate: 200, Width: '50%', Height: '50%' }],
        },
        { Type: 'AACAudio', Channels: 1, SamplingRate: 44100, Bitrate: 64 },
        {
          Type: 'PngImage',
          Start: '{Best}',
          PngLayers: [
            { Type: 'PngLayer', Width: '50%', Height: '50%' },
            { Type: 'PngLayer', Width: '100%', Height: '100%' },
          ],
        },
        {
          Type: 'JpgImage',
          Start: '00:00:00.5',
          Step: '12',
          Range: '60%',
          JpgLayers: [{ Type: 'JpgLayer', Width: 80, Height: 60, Quality: 90 }],
        },
      ],
      Outputs: [
        { FileName: '{Basename}_{Width}x{Height}_{VideoBitrate}.mp4', Format: { Type: 'MP4Format' } },
        { FileName: '{Basename}_{Index}{Extension}', Format: { Type: 'PngFormat' } },
        { FileName: '{Basename}_{Resolution}_{Index}{Extension}', Format: { Type: 'JpgFormat' } },
      ],
    };
    const done = await run(JSON.stringify(preset), clip, npmTools);
    assertCommon(done);
    const images = done.result.files.filter((f) => f.mimeType.startsWith('image/'));
    assert.deepEqual(
      images.map((f) => `${f.name} ${f.mimeType}`),
      [
        'clip_000001.png image/png',
        'clip_000002.png image/png',
        'clip_80x60_000001.jpg image/jpeg',
        'clip_80x60_000002.jpg image/jpeg',
        'clip_80x60_000003.jpg image/jpeg',
      ],
    );
    const size = (name: string) => {
      const [s] = streams(join(done.dir, name));
      return `${s!.codec_name} ${s!.width}x${s!.height}`;
    };
    assert.equal(size('clip_000001.png'), 'png 160x120');
    assert.equal(size('clip_000002.png'), 'png 320x240');
    assert.equal(size('clip_80x60_000003.jpg'), 'mjpeg 80x60');
    assert.deepEqual(
      streams(join(done.dir, 'clip_160x120_200.mp4')).map((s) => `${s.codec_name} ${s.channels ?? s.width}`),
      ['h264 160', 'aac 1'],
    );
  });

  it('"AAC Good Quality Audio" with the npm ffmpeg 4.1: one audio-only MP4', async () => {
    const done = await run('AAC Good Quality Audio', clip, npmTools);
    assertCommon(done);
    assert.deepEqual(
      done.result.files.map((f) => f.name),
      ['clip_AAC_192.mp4', `${GUID}_metadata.xml`, 'clip_manifest.xml', 'clip.ism'],
    );
    assert.deepEqual(
      streams(join(done.dir, 'clip_AAC_192.mp4')).map(
        (s) => `${s.codec_name} ${s.sample_rate} ${s.channels}`,
      ),
      ['aac 48000 2'],
    );
    assert.equal(done.result.files.find((f) => f.name === 'clip_AAC_192.mp4')!.mimeType, 'audio/mp4');
  });

  it('cancellation kills ffmpeg at once, removes every partial file and rejects with an AbortError', async () => {
    const dir = newOutputDir();
    const controller = new AbortController();
    const progress: number[] = [];
    const error = await rejection(
      encode(tools, {
        inputs: [{ name: 'long.mp4', path: long }],
        inputAssetGuid: GUID,
        configuration: 'H264 Multiple Bitrate 720p',
        outputDir: dir,
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p);
          if (p > 0) controller.abort();
        },
      }),
    );
    assert.ok(isAbortError(error), String(error));
    assert.ok(progress.some((p) => p > 0) && !progress.includes(100));
    assert.deepEqual(readdirSync(dir), []);
    assert.deepEqual(ffmpegChildren(), []);
  });

  it('an already-aborted signal rejects at once, and so does abort before ffmpeg starts', async () => {
    const dir = newOutputDir();
    const error = await rejection(
      encode(tools, {
        inputs: [{ name: 'clip.mp4', path: clip }],
        inputAssetGuid: GUID,
        configuration: 'H264 Single Bitrate 720p',
        outputDir: dir,
        signal: AbortSignal.abort(),
        onProgress: () => undefined,
      }),
    );
    assert.ok(isAbortError(error));
    assert.equal(existsSync(dir), false);

    const controller = new AbortController();
    const early = await rejection(
      encode(tools, {
        inputs: [{ name: 'clip.mp4', path: clip }],
        inputAssetGuid: GUID,
        configuration: 'H264 Single Bitrate 720p',
        outputDir: dir,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    assert.ok(isAbortError(early));
    assert.deepEqual(readdirSync(dir), []);
    assert.deepEqual(ffmpegChildren(), []);
  });

  it('a corrupt or non-media input is ErrorDownloadingInputAssetMalformedContent, with nothing written', async () => {
    const corrupt = join(root, 'corrupt.mp4');
    writeFileSync(corrupt, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    const text = join(root, 'notes.txt');
    writeFileSync(text, 'These are not the frames you are looking for.\n');
    const empty = join(root, 'empty.mp4');
    writeFileSync(empty, '');
    const cases: [string, string, RegExp][] = [
      [
        'corrupt.mp4',
        corrupt,
        /^The input file 'corrupt\.mp4' is not media that ffmpeg can read \(ffmpeg: .*moov atom not found/,
      ],
      [
        'notes.txt',
        text,
        /^The input file 'notes\.txt' is not media that ffmpeg can read \(ffmpeg: .*Invalid data found when processing input/,
      ],
      ['empty.mp4', empty, /^The input file 'empty\.mp4' is empty\.$/],
      ['gone.mp4', join(root, 'gone.mp4'), /^The input file 'gone\.mp4' does not exist\.$/],
    ];
    for (const [name, path, message] of cases) {
      const dir = newOutputDir();
      const error = await rejection(
        encode(tools, {
          inputs: [{ name, path }],
          primaryName: name,
          inputAssetGuid: GUID,
          configuration: 'H264 Single Bitrate 720p',
          outputDir: dir,
          signal: new AbortController().signal,
          onProgress: () => undefined,
        }),
      );
      assert.ok(error instanceof EncodingError, String(error));
      assert.equal(error.code, 'ErrorDownloadingInputAssetMalformedContent');
      assert.match(error.message, message);
      assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, name);
    }
  });

  it('an unknown preset, a preset the input cannot satisfy, and a missing ffmpeg fail with their codes', async () => {
    const attempt = async (configuration: string, input: string, using = tools) => {
      const dir = newOutputDir();
      const error = await rejection(run(configuration, input, using));
      assert.ok(!existsSync(dir) || readdirSync(dir).length === 0);
      assert.ok(error instanceof EncodingError, String(error));
      return error;
    };
    const unknown = await attempt('H264 Single Bitrate 9000p', clip);
    assert.equal(unknown.code, 'ErrorParsingConfiguration');
    assert.match(
      unknown.message,
      /'H264 Single Bitrate 9000p' is not a Media Encoder Standard system preset/,
    );
    const noAudio = await attempt('AAC Audio', silent);
    assert.equal(noAudio.code, 'ErrorExecutingTaskUnsupportedFormat');
    assert.match(noAudio.message, /has no audio stream/);
    const missing = await attempt('AAC Audio', clip, { ...tools, ffmpeg: join(root, 'no-such-ffmpeg') });
    assert.equal(missing.code, 'ErrorProcessingTask');
    assert.match(missing.message, /^ffmpeg could not be started/);
  });
});
