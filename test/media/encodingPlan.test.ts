import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EncodingError } from '../../src/media/encoding/errors.js';
import type { FfmpegTools } from '../../src/media/encoding/ffmpegBinary.js';
import { planEncode, selectInput } from '../../src/media/encoding/plan.js';
import type { AudioInfo, MediaInfo, VideoInfo } from '../../src/media/encoding/probe.js';
import { mediaInfoFromFfprobe } from '../../src/media/encoding/probe.js';
import { ProgressReporter } from '../../src/media/encoding/progress.js';
import { parseServerManifest, serverManifestXml } from '../../src/media/encoding/serverManifest.js';

const tools: FfmpegTools = {
  ffmpeg: '/usr/bin/ffmpeg',
  ffprobe: '/usr/bin/ffprobe',
  source: 'PATH',
  version: 'ffmpeg version test',
};

function mediaInfo(
  video: Partial<VideoInfo> | undefined,
  audio: Partial<AudioInfo> | undefined,
  durationMs = 10_000,
): MediaInfo {
  const common = {
    index: 0,
    codec: 'h264',
    codecLongName: 'H.264',
    timeBase: '1/90000',
    startMs: 0,
    disposition: {},
    tags: {},
  };
  const v: VideoInfo | undefined = video && {
    ...common,
    fourCC: 'avc1',
    pixelFormat: 'yuv420p',
    width: 1280,
    height: 720,
    displayWidth: 1280,
    displayHeight: 720,
    sampleAspectRatio: [1, 1],
    displayAspectRatio: [16, 9],
    frameRate: 24000 / 1001,
    bitrate: 8_000_000,
    rotation: 0,
    interlaced: false,
    hasBFrames: 0,
    ...video,
  };
  const a: AudioInfo | undefined = audio && {
    ...common,
    index: 1,
    codec: 'aac',
    channels: 2,
    sampleRate: 48000,
    bitrate: 128_000,
    bitsPerSample: 0,
    ...audio,
  };
  return {
    durationMs,
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    formatLongName: 'QuickTime / MOV',
    size: 1_000_000,
    bitrate: 8_128_000,
    startMs: 0,
    streamCount: (v ? 1 : 0) + (a ? 1 : 0),
    tags: {},
    ...(v ? { video: v } : {}),
    ...(a ? { audio: a } : {}),
    videoStreams: v ? [v] : [],
    audioStreams: a ? [a] : [],
  };
}

const request = (configuration: string) => ({
  inputs: [{ name: 'Big Buck Bunny.mp4', path: '/media/in/Big Buck Bunny.mp4' }],
  configuration,
  outputDir: '/media/out',
  inputAssetGuid: 'nb:cid:UUID:00000000-0000-0000-0000-000000000001',
});

/** The arguments of the output that writes `file`: from after the previous output path to it. */
function outputArgs(args: string[], file: string): string[] {
  const end = args.indexOf(`/media/out/${file}`);
  assert.ok(end > 0, `no output ${file}`);
  let start = end - 1;
  while (start > 0 && !args[start - 1]!.startsWith('/media/out/') && args[start - 2] !== '-filter_complex')
    start--;
  return args.slice(start, end + 1);
}

function rejects(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof EncodingError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('planEncode', () => {
  it('"H264 Multiple Bitrate 720p": one decode, six GOP-aligned layers with interleaved AAC', () => {
    const plan = planEncode(tools, request('H264 Multiple Bitrate 720p'), mediaInfo({}, {}), { threads: 2 });
    assert.deepEqual(
      plan.files.map((f) => f.name),
      [
        'Big Buck Bunny_1280x720_3400.mp4',
        'Big Buck Bunny_960x540_2250.mp4',
        'Big Buck Bunny_960x540_1500.mp4',
        'Big Buck Bunny_640x360_1000.mp4',
        'Big Buck Bunny_640x360_650.mp4',
        'Big Buck Bunny_320x180_400.mp4',
      ],
    );
    assert.equal(plan.args.filter((a) => a === '-i').length, 1, 'the input is read once');
    const graph = plan.args[plan.args.indexOf('-filter_complex') + 1]!;
    assert.match(
      graph,
      /^\[0:v:0\]split=6\[s0\]\[s1\]\[s2\]\[s3\]\[s4\]\[s5\];\[s0\]scale=1280:720,setsar=1,format=yuv420p\[v0\]/,
    );
    const top = outputArgs(plan.args, 'Big Buck Bunny_1280x720_3400.mp4');
    for (const expected of [
      ['-map', '[v0]'],
      ['-map', '0:a:0'],
      ['-c:v', 'libx264'],
      ['-b:v', '3400k'],
      ['-maxrate:v', '3400k'],
      ['-bufsize:v', '17000k'],
      ['-x264-params:v', 'keyint=48:min-keyint=48:scenecut=0:bframes=3:b-adapt=1:ref=3'],
      ['-force_key_frames:v', 'expr:gte(t,n_forced*2)'],
      ['-threads:v', '2'],
      ['-c:a', 'aac'],
      ['-b:a', '128k'],
      ['-ar', '48000'],
      ['-ac', '2'],
      ['-movflags', '+faststart'],
    ]) {
      const found = top.some((arg, i) => arg === expected[0] && top[i + 1] === expected[1]);
      assert.ok(found, `${expected.join(' ')} in ${top.join(' ')}`);
    }
    assert.ok(plan.args.includes('-progress') && plan.args[plan.args.indexOf('-progress') + 1] === 'pipe:1');
    assert.equal(plan.durationMs, 10_000);
  });

  it('"Adaptive Streaming": a ladder capped at the input, audio in its own MP4', () => {
    const plan = planEncode(tools, request('Adaptive Streaming'), mediaInfo({}, {}));
    assert.deepEqual(
      plan.files.map((f) => `${f.name} ${f.mimeType} v=${f.hasVideo} a=${f.hasAudio}`),
      [
        'Big Buck Bunny_1280x720_2940.mp4 video/mp4 v=true a=false',
        'Big Buck Bunny_960x540_1850.mp4 video/mp4 v=true a=false',
        'Big Buck Bunny_640x360_960.mp4 video/mp4 v=true a=false',
        'Big Buck Bunny_480x270_600.mp4 video/mp4 v=true a=false',
        'Big Buck Bunny_320x180_320.mp4 video/mp4 v=true a=false',
        'Big Buck Bunny_AAC_128.mp4 audio/mp4 v=false a=true',
      ],
    );
    assert.ok(outputArgs(plan.args, 'Big Buck Bunny_1280x720_2940.mp4').includes('-an'));
    const audio = outputArgs(plan.args, 'Big Buck Bunny_AAC_128.mp4');
    assert.deepEqual(audio.slice(0, 3), ['-map', '0:a:0', '-vn']);
  });

  it('caps fixed layers at the input size, with even dimensions', () => {
    const plan = planEncode(
      tools,
      request('H264 Single Bitrate 1080p'),
      mediaInfo({ width: 642, height: 362, displayWidth: 642, displayHeight: 362 }, {}),
    );
    assert.deepEqual(
      plan.files.map((f) => f.name),
      ['Big Buck Bunny_642x362_6750.mp4'],
    );
    assert.match(plan.notes.join(' '), /sized down/);
    const rotated = planEncode(
      tools,
      request('H264 Single Bitrate 720p'),
      mediaInfo({ displayWidth: 720, displayHeight: 1280, rotation: 90 }, {}),
    );
    assert.deepEqual(
      rotated.files.map((f) => f.name),
      ['Big Buck Bunny_406x720_4500.mp4'],
      'a portrait input fits the 1280x720 window upright',
    );
  });

  it('audio-only presets name the file by the audio, and refuse inputs without audio', () => {
    const plan = planEncode(tools, request('AAC Good Quality Audio'), mediaInfo({}, {}));
    assert.deepEqual(
      plan.files.map((f) => f.name),
      ['Big Buck Bunny_AAC_192.mp4'],
    );
    assert.ok(!plan.args.includes('-filter_complex'), 'no picture is decoded for audio');
    rejects(
      () => planEncode(tools, request('AAC Audio'), mediaInfo({}, undefined)),
      'ErrorExecutingTaskUnsupportedFormat',
      /produces audio only, but the input 'Big Buck Bunny.mp4' has no audio stream/,
    );
    rejects(
      () => planEncode(tools, request('AAC Audio'), mediaInfo(undefined, undefined)),
      'ErrorExecutingTaskUnsupportedFormat',
      /has no video or audio stream/,
    );
  });

  it('a video preset on an audio-only input writes the audio alone', () => {
    const plan = planEncode(tools, request('H264 Multiple Bitrate 720p'), mediaInfo(undefined, {}));
    assert.deepEqual(
      plan.files.map((f) => f.name),
      ['Big Buck Bunny_AAC_128.mp4'],
    );
  });

  it('HE-AAC presets are encoded as AAC-LC and say so', () => {
    const plan = planEncode(tools, request('H264 Multiple Bitrate 16x9 for iOS'), mediaInfo({}, {}));
    assert.match(plan.notes.join(' '), /HEAACV2 audio was encoded as AAC-LC at 64 kbps/);
    const baseline = outputArgs(plan.args, 'Big Buck Bunny_640x360_1200.mp4');
    assert.equal(baseline[baseline.indexOf('-profile:v') + 1], 'baseline');
    assert.equal(baseline[baseline.indexOf('-level:v') + 1], '3.1');
    assert.match(
      baseline[baseline.indexOf('-x264-params:v') + 1]!,
      /keyint=72:.*bframes=0:b-adapt=0:ref=3:cabac=0/,
    );
  });

  it('thumbnails: select at the scheduled times, {Index} as a 6-digit counter, JPEG quality', () => {
    const preset = {
      Codecs: [
        {
          Type: 'JpgImage',
          Start: '10%',
          Step: '20%',
          Range: '100%',
          JpgLayers: [
            { Width: '50%', Height: '50%', Quality: 100 },
            { Width: 64, Height: 36, Quality: 1 },
          ],
        },
      ],
      Outputs: [{ FileName: '{Basename}_{Index}{Extension}', Format: { Type: 'JpgFormat' } }],
    };
    const plan = planEncode(tools, request(JSON.stringify(preset)), mediaInfo({ frameRate: 25 }, {}));
    assert.deepEqual(
      plan.files.map((f) => `${f.name} ${f.width}x${f.height}`),
      [
        'Big Buck Bunny_000001.jpg 640x360',
        'Big Buck Bunny_000002.jpg 640x360',
        'Big Buck Bunny_000003.jpg 640x360',
        'Big Buck Bunny_000004.jpg 640x360',
        'Big Buck Bunny_000005.jpg 640x360',
        'Big Buck Bunny_000006.jpg 64x36',
        'Big Buck Bunny_000007.jpg 64x36',
        'Big Buck Bunny_000008.jpg 64x36',
        'Big Buck Bunny_000009.jpg 64x36',
        'Big Buck Bunny_000010.jpg 64x36',
      ],
    );
    const graph = plan.args[plan.args.indexOf('-filter_complex') + 1]!;
    assert.match(graph, /select='gte\(t,0\.98\)\*not\(gte\(prev_t,0\.98\)\)\+gte\(t,2\.98\)/);
    const first = outputArgs(plan.args, 'Big Buck Bunny_%06d.jpg');
    assert.equal(first[first.indexOf('-q:v') + 1], '2');
    assert.equal(first[first.indexOf('-start_number') + 1], '1');
    assert.ok(plan.args.includes('-t'), 'an image-only task reads only as far as it needs');
    rejects(
      () => planEncode(tools, request(JSON.stringify(preset)), mediaInfo(undefined, {})),
      'ErrorExecutingTaskUnsupportedFormat',
      /asks for thumbnails, but the input 'Big Buck Bunny.mp4' has no video stream/,
    );
  });

  it('refuses an unknown preset before anything else', () => {
    rejects(
      () => planEncode(tools, request('H264 Nonsense'), mediaInfo({}, {})),
      'ErrorParsingConfiguration',
      /'H264 Nonsense' is not a Media Encoder Standard system preset/,
    );
  });

  it('never names an output like a metadata file', () => {
    const preset = {
      Codecs: [{ Type: 'AACAudio' }],
      Outputs: [{ FileName: '{Basename}.ism', Format: { Type: 'MP4Format' } }],
    };
    const plan = planEncode(tools, request(JSON.stringify(preset)), mediaInfo({}, {}));
    assert.deepEqual(
      plan.files.map((f) => f.name),
      ['Big Buck Bunny_2.ism'],
    );
  });
});

describe('selectInput', () => {
  const files = [
    { name: 'a.mp4', path: '/a.mp4' },
    { name: 'old_manifest.xml', path: '/x.xml' },
    { name: 'old.ism', path: '/x.ism' },
  ];
  it('takes the primary file, else the only media file', () => {
    assert.equal(selectInput({ inputs: files }).name, 'a.mp4');
    assert.equal(
      selectInput({ inputs: [...files, { name: 'b.mov', path: '/b.mov' }], primaryName: 'B.MOV' }).name,
      'b.mov',
    );
  });
  it('refuses no media, several without a primary, and a primary that is missing', () => {
    rejects(
      () => selectInput({ inputs: files.slice(1) }),
      'ErrorDownloadingInputAssetMalformedContent',
      /no media file/,
    );
    rejects(
      () => selectInput({ inputs: [...files, { name: 'b.mov', path: '/b.mov' }] }),
      'ErrorDownloadingInputAssetMalformedContent',
      /2 media files and none is marked primary/,
    );
    rejects(
      () => selectInput({ inputs: files, primaryName: 'c.mp4' }),
      'ErrorDownloadingInputAssetMalformedContent',
      /'c.mp4' is not among/,
    );
  });
});

describe('mediaInfoFromFfprobe', () => {
  it('reads display size, rotation, levels, and skips cover art', () => {
    const info = mediaInfoFromFfprobe(
      {
        format: {
          format_name: 'mov',
          format_long_name: 'QuickTime',
          duration: '12.678',
          size: '1000',
          bit_rate: '1245000',
          nb_streams: 3,
        },
        streams: [
          {
            index: 0,
            codec_type: 'video',
            codec_name: 'mjpeg',
            width: 600,
            height: 600,
            disposition: { attached_pic: 1 },
          },
          {
            index: 1,
            codec_type: 'video',
            codec_name: 'h264',
            width: 720,
            height: 576,
            sample_aspect_ratio: '16:15',
            avg_frame_rate: '25/1',
            level: 31,
            field_order: 'tt',
            side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }],
          },
          {
            index: 2,
            codec_type: 'audio',
            codec_name: 'aac',
            channels: 2,
            sample_rate: '44100',
            bit_rate: '128000',
          },
        ],
      },
      1000,
    );
    assert.equal(info.durationMs, 12678);
    assert.equal(info.video!.index, 1);
    assert.equal(info.video!.level, '3.1');
    assert.equal(info.video!.rotation, 90);
    assert.deepEqual([info.video!.displayWidth, info.video!.displayHeight], [576, 768]);
    assert.equal(info.video!.interlaced, true);
    assert.equal(info.video!.bitrate, 1245000 - 128000, 'a container without stream bitrates');
    assert.equal(info.audio!.sampleRate, 44100);
  });
});

describe('progress', () => {
  it('reports rising percentages at most every interval, and 100 only at the end', () => {
    let clock = 0;
    const seen: number[] = [];
    const progress = new ProgressReporter(
      10_000,
      (p) => seen.push(p),
      250,
      () => clock,
    );
    progress.report(0, true);
    clock = 300;
    progress.feed('frame=1\nout_time_us=1000000\nprogress=continue\n');
    clock = 400;
    progress.feed('out_time_us=2000000\n');
    clock = 700;
    progress.feed('out_time_ms=3000');
    progress.feed('000\nout_time=00:00:02.000000\n');
    clock = 1000;
    progress.feed('out_time_us=N/A\nout_time=00:00:10.000000\nprogress=end\n');
    progress.finish();
    progress.report(50, true);
    assert.deepEqual(seen, [0, 10, 30, 99.9, 100]);
  });
});

describe('server manifest', () => {
  it('writes SMIL 2.0 that reads back, and reads Azure-written manifests', () => {
    const manifest = {
      video: [
        {
          src: 'a_1280x720_3400.mp4',
          bitrate: 3_400_000,
          width: 1280,
          height: 720,
          trackId: 1,
          trackName: 'video',
        },
        {
          src: 'a & b_640x360_1000.mp4',
          bitrate: 1_000_000,
          width: 640,
          height: 360,
          trackId: 1,
          trackName: 'video',
        },
      ],
      audio: [
        {
          src: 'a_AAC_128.mp4',
          bitrate: 128_000,
          trackId: 1,
          trackName: 'aac_und_2_128000',
          language: 'und',
        },
      ],
    };
    const xml = serverManifestXml(manifest);
    assert.match(
      xml,
      /^<\?xml version="1\.0" encoding="utf-8" standalone="yes"\?>\n<smil xmlns="http:\/\/www\.w3\.org\/2001\/SMIL20\/Language">/,
    );
    assert.match(xml, /<meta name="formats" content="mp4-v2" \/>/);
    assert.match(xml, /<video src="a &amp; b_640x360_1000\.mp4" systemBitrate="1000000">/);
    assert.deepEqual(parseServerManifest(xml), manifest);

    const azure = `<?xml version="1.0" encoding="utf-8"?>
<smil xmlns="http://www.w3.org/2001/SMIL20/Language">
  <head><meta name="clientManifestRelativePath" content="ignite.ismc" /><meta name="formats" content="mp4-v2" /></head>
  <body><switch>
    <audio src="ignite_320x180_AACAudio_380.mp4" systemBitrate="128041" systemLanguage="eng">
      <param name="systemBitrate" value="128041" valuetype="data" /><param name="trackID" value="2" valuetype="data" />
      <param name="trackName" value="aac_eng_2_128041_2_1" valuetype="data" />
    </audio>
    <video src="ignite_1280x720_AACAudio_3550.mp4" systemBitrate="3550351">
      <param name="trackID" value="1" valuetype="data" /><param name="trackName" value="video" valuetype="data" />
    </video>
  </switch></body>
</smil>`;
    assert.deepEqual(parseServerManifest(azure), {
      video: [{ src: 'ignite_1280x720_AACAudio_3550.mp4', bitrate: 3550351, trackId: 1, trackName: 'video' }],
      audio: [
        {
          src: 'ignite_320x180_AACAudio_380.mp4',
          bitrate: 128041,
          trackId: 2,
          trackName: 'aac_eng_2_128041_2_1',
          language: 'eng',
        },
      ],
    });
    assert.throws(() => parseServerManifest('<smil><body><video/></body></smil>'), /has no src/);
    assert.throws(() => parseServerManifest('<html/>'), /root element is <html>, not <smil>/);
    assert.throws(() => parseServerManifest('<smil'), /not valid XML/);
  });
});
