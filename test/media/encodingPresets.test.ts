import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EncodingError } from '../../src/media/encoding/errors.js';
import { adaptiveLadder } from '../../src/media/encoding/ladder.js';
import { basenameOf, expandFileName } from '../../src/media/encoding/naming.js';
import { SYSTEM_PRESETS, parsePreset } from '../../src/media/encoding/presets.js';
import { layerSize } from '../../src/media/encoding/sizing.js';
import { thumbnailSchedule } from '../../src/media/encoding/thumbnails.js';
import { parseTime, formatDuration } from '../../src/media/encoding/times.js';
import { parseXml } from '../../src/media/encoding/xml.js';

function rejects(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof EncodingError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.deepEqual(error.toErrorDetail(), { Code: code, Message: error.message });
    return true;
  });
}

const PARSING = 'ErrorParsingConfiguration';
const px = (value: number) => ({ value, percent: false });
const pct = (value: number) => ({ value, percent: true });

describe('system presets', () => {
  it('lists the MES presets and finds them in any case and spacing', () => {
    for (const name of [
      'H264 Single Bitrate 720p',
      'H264 Single Bitrate 1080p',
      'H264 Single Bitrate 16x9 SD',
      'H264 Single Bitrate 4x3 SD',
      'H264 Single Bitrate 4K',
      'H264 Multiple Bitrate 720p',
      'H264 Multiple Bitrate 1080p',
      'H264 Multiple Bitrate 16x9 SD',
      'H264 Multiple Bitrate 4K',
      'Adaptive Streaming',
      'Content Adaptive Multiple Bitrate MP4',
      'AAC Good Quality Audio',
      'AAC Audio',
    ])
      assert.ok(SYSTEM_PRESETS.includes(name), name);
    assert.equal(parsePreset('  h264 multiple BITRATE   720p ').systemName, 'H264 Multiple Bitrate 720p');
    assert.equal(parsePreset('H264 Single Bitrate SD 16x9').systemName, 'H264 Single Bitrate 16x9 SD');
  });

  it('has the published layer tables', () => {
    const table = (name: string) =>
      parsePreset(name).video!.layers.map((l) => `${l.width!.value}x${l.height!.value}@${l.bitrate}`);
    assert.deepEqual(table('H264 Multiple Bitrate 720p'), [
      '1280x720@3400',
      '960x540@2250',
      '960x540@1500',
      '640x360@1000',
      '640x360@650',
      '320x180@400',
    ]);
    assert.deepEqual(table('H264 Single Bitrate 720p'), ['1280x720@4500']);
    assert.deepEqual(table('H264 Single Bitrate 1080p'), ['1920x1080@6750']);
    assert.deepEqual(table('H264 Single Bitrate 16x9 SD'), ['848x480@2200']);
    assert.deepEqual(table('H264 Single Bitrate 4x3 SD'), ['640x480@1800']);
    assert.deepEqual(table('H264 Single Bitrate 4K'), ['3840x2160@18000']);
    assert.equal(table('H264 Multiple Bitrate 1080p').length, 8);
    assert.equal(table('H264 Multiple Bitrate 4K').length, 12);
    const audio = parsePreset('H264 Single Bitrate 720p').audio;
    assert.deepEqual(audio, {
      kind: 'aac',
      profile: 'AACLC',
      channels: 2,
      samplingRate: 48000,
      bitrate: 128,
    });
    assert.equal(parsePreset('AAC Good Quality Audio').video, undefined);
    assert.deepEqual(
      parsePreset('AAC Good Quality Audio').outputs.map((o) => o.fileName),
      ['{Basename}_AAC_{AudioBitrate}.mp4'],
    );
    const adaptive = parsePreset('Adaptive Streaming');
    assert.deepEqual(
      adaptive.outputs.map((o) => o.streams),
      ['video', 'audio'],
    );
    assert.equal(adaptive.video!.sceneChangeDetection, false);
  });

  it('hands out copies', () => {
    parsePreset('H264 Single Bitrate 720p').video!.layers[0]!.bitrate = 1;
    assert.equal(parsePreset('H264 Single Bitrate 720p').video!.layers[0]!.bitrate, 4500);
  });

  it('refuses unknown names and empty configurations', () => {
    rejects(
      () => parsePreset('H264 Single Bitrate 9000p'),
      PARSING,
      /'H264 Single Bitrate 9000p' is not a Media Encoder Standard system preset/,
    );
    rejects(() => parsePreset('   '), PARSING, /empty/);
  });
});

const CUSTOM = {
  Version: 1.0,
  Codecs: [
    {
      Type: 'H264Video',
      KeyFrameInterval: '00:00:02',
      StretchMode: 'AutoFit',
      H264Layers: [
        {
          Type: 'H264Layer',
          Profile: 'Baseline',
          Level: '3.1',
          Bitrate: 1000,
          MaxBitrate: 1200,
          Width: '640',
          Height: '360',
          FrameRate: '30000/1001',
        },
        {
          Type: 'H264Layer',
          Bitrate: 500,
          Width: 320,
          Height: 180,
          FrameRate: '30000/1001',
          EntropyMode: 'Cavlc',
        },
      ],
    },
    { Type: 'AACAudio', Profile: 'AACLC', Channels: 2, SamplingRate: 44100, Bitrate: 96 },
    { Type: 'PngImage', Start: '{Best}', PngLayers: [{ Type: 'PngLayer', Width: '50%', Height: '50%' }] },
    {
      Type: 'JpgImage',
      Start: '00:00:01',
      Step: '10%',
      Range: '50%',
      JpgLayers: [{ Type: 'JpgLayer', Width: 160, Height: 90, Quality: 90 }],
    },
  ],
  Outputs: [
    { FileName: '{Basename}_{Width}x{Height}_{VideoBitrate}.mp4', Format: { Type: 'MP4Format' } },
    { FileName: '{Basename}_{Index}{Extension}', Format: { Type: 'PngFormat' } },
    { FileName: '{Basename}_{Resolution}_{Index}{Extension}', Format: { Type: 'JpgFormat' } },
  ],
};

describe('custom presets', () => {
  it('reads a JSON preset', () => {
    const preset = parsePreset(JSON.stringify(CUSTOM));
    assert.equal(preset.systemName, undefined);
    assert.equal(preset.video!.stretchMode, 'AutoFit');
    assert.equal(preset.video!.keyFrameIntervalSec, 2);
    const [first, second] = preset.video!.layers;
    assert.equal(first!.profile, 'Baseline');
    assert.equal(first!.level, '3.1');
    assert.equal(first!.maxBitrate, 1200);
    assert.ok(Math.abs(first!.frameRate! - 29.97) < 0.01);
    assert.equal(second!.entropyMode, 'Cavlc');
    assert.deepEqual(preset.audio, {
      kind: 'aac',
      profile: 'AACLC',
      channels: 2,
      samplingRate: 44100,
      bitrate: 96,
    });
    assert.deepEqual(preset.images[0]!.start, { kind: 'best' });
    assert.deepEqual(preset.images[0]!.layers[0]!.width, pct(50));
    assert.deepEqual(preset.images[1]!.step, { kind: 'percent', value: 10 });
    assert.equal(preset.images[1]!.layers[0]!.quality, 90);
  });

  it('reads the same preset written in XML', () => {
    const xml = `<?xml version="1.0" encoding="utf-16"?>
<Preset xmlns:xsd="http://www.w3.org/2001/XMLSchema" Version="1.0" xmlns="http://www.windowsazure.com/media/encoding/Preset/2014/03">
  <!-- a comment -->
  <Encoding>
    <H264Video>
      <KeyFrameInterval>00:00:02</KeyFrameInterval>
      <StretchMode>AutoFit</StretchMode>
      <H264Layers>
        <H264Layer><Profile>Baseline</Profile><Level>3.1</Level><Bitrate>1000</Bitrate><MaxBitrate>1200</MaxBitrate><Width>640</Width><Height>360</Height><FrameRate>30000/1001</FrameRate></H264Layer>
        <H264Layer><Bitrate>500</Bitrate><Width>320</Width><Height>180</Height><FrameRate>30000/1001</FrameRate><EntropyMode>Cavlc</EntropyMode></H264Layer>
      </H264Layers>
    </H264Video>
    <AACAudio><Profile>AACLC</Profile><Channels>2</Channels><SamplingRate>44100</SamplingRate><Bitrate>96</Bitrate></AACAudio>
    <PngImage Start="{Best}"><PngLayers><PngLayer><Width>50%</Width><Height>50%</Height></PngLayer></PngLayers></PngImage>
    <JpgImage Start="00:00:01" Step="10%" Range="50%"><JpgLayers><JpgLayer><Width>160</Width><Height>90</Height><Quality>90</Quality></JpgLayer></JpgLayers></JpgImage>
  </Encoding>
  <Outputs>
    <Output FileName="{Basename}_{Width}x{Height}_{VideoBitrate}.mp4"><MP4Format /></Output>
    <Output FileName="{Basename}_{Index}{Extension}"><PngFormat /></Output>
    <Output FileName="{Basename}_{Resolution}_{Index}{Extension}"><JpgFormat /></Output>
  </Outputs>
</Preset>`;
    assert.deepEqual(parsePreset(xml), parsePreset(JSON.stringify(CUSTOM)));
  });

  it('refuses invalid JSON and XML with the parser error', () => {
    rejects(() => parsePreset('{"Codecs": ['), PARSING, /^The task configuration is not valid JSON: /);
    rejects(
      () => parsePreset('<Preset><Encoding></Preset>'),
      PARSING,
      /^The task configuration is not valid XML: .*closes <Encoding>/,
    );
    rejects(() => parsePreset('<Other/>'), PARSING, /root element must be <Preset>/);
  });

  it('names the setting that is wrong', () => {
    const variant = (edit: (preset: typeof CUSTOM) => void): string => {
      const copy = structuredClone(CUSTOM);
      edit(copy);
      return JSON.stringify(copy);
    };
    rejects(
      () => parsePreset(variant((p) => delete (p.Codecs[0]!.H264Layers![0] as { Bitrate?: number }).Bitrate)),
      PARSING,
      /Codecs\[0\]\.H264Layers\[0\]\.Bitrate is required/,
    );
    rejects(
      () => parsePreset(variant((p) => (p.Codecs[0]!.H264Layers![1]!.Width = 321))),
      PARSING,
      /Width must be an even number/,
    );
    rejects(
      () => parsePreset(variant((p) => (p.Codecs[0]!.H264Layers![0]!.Profile = 'Extreme'))),
      PARSING,
      /Profile must be one of Auto, Baseline, Main, High/,
    );
    rejects(
      () =>
        parsePreset(variant((p) => ((p.Codecs[0] as Record<string, unknown>).SceneChangeDetection = true))),
      PARSING,
      /SceneChangeDetection can only be true for a single-bitrate encode/,
    );
    rejects(
      () => parsePreset(variant((p) => (p.Codecs[0]!.H264Layers![1]!.FrameRate = '25/1'))),
      PARSING,
      /same FrameRate/,
    );
    rejects(
      () => parsePreset(variant((p) => (p.Codecs[1]!.Channels = 3))),
      PARSING,
      /Channels must be 1, 2, 5, 6 or 8/,
    );
    rejects(
      () => parsePreset(variant((p) => (p.Codecs[3]!.Start = 'soon'))),
      PARSING,
      /Start must be a frame number, a percentage, a time/,
    );
    rejects(
      () => parsePreset(variant((p) => (p.Outputs[1]!.FileName = '{Basename}.png'))),
      PARSING,
      /must use \{Index\} exactly once/,
    );
    rejects(
      () => parsePreset(variant((p) => (p.Outputs[0]!.FileName = '{Basename}_{Nonsense}.mp4'))),
      PARSING,
      /unknown macro \{Nonsense\}/,
    );
    rejects(
      () => parsePreset(variant((p) => (p.Outputs[0]!.FileName = '../escape.mp4'))),
      PARSING,
      /must be a plain file name/,
    );
    rejects(
      () => parsePreset(variant((p) => (p.Outputs[0]!.Format.Type = 'TransportStreamFormat'))),
      PARSING,
      /'TransportStreamFormat' is not supported/,
    );
    rejects(
      () => parsePreset(variant((p) => p.Outputs.splice(2, 1))),
      PARSING,
      /JPG image codec needs an output with JpgFormat/,
    );
    rejects(
      () => parsePreset(variant((p) => ((p.Codecs[0] as Record<string, unknown>).Type = 'H265Video'))),
      PARSING,
      /Type 'H265Video' is not supported/,
    );
    rejects(() => parsePreset(JSON.stringify({ Codecs: [], Outputs: [] })), PARSING, /no Codecs/);
    rejects(
      () => parsePreset(JSON.stringify({ Version: 2, Codecs: CUSTOM.Codecs, Outputs: CUSTOM.Outputs })),
      PARSING,
      /Version 2 is not supported/,
    );
  });

  it('accepts strings for numbers and booleans, and any key case', () => {
    const preset = parsePreset(
      JSON.stringify({
        version: '1.0',
        codecs: [
          {
            type: 'H264Video',
            sceneChangeDetection: 'true',
            h264Layers: [{ bitrate: '800', width: '640', height: '360' }],
          },
        ],
        outputs: [{ fileName: '{Basename}.mp4', format: { type: 'MP4Format' } }],
      }),
    );
    assert.equal(preset.video!.sceneChangeDetection, true);
    assert.equal(preset.video!.layers[0]!.bitrate, 800);
  });
});

describe('adaptive ladder', () => {
  it("reproduces MES's published 1080p and 720p examples", () => {
    const ladder = (height: number, fps: number, bitrate = 50_000_000) =>
      adaptiveLadder({ displayWidth: (height * 16) / 9, displayHeight: height, frameRate: fps, bitrate }).map(
        (r) => `${r.width}x${r.height}@${r.bitrate}`,
      );
    assert.deepEqual(ladder(1080, 29.97), [
      '1920x1080@6780',
      '1280x720@3520',
      '960x540@2210',
      '640x360@1150',
      '480x270@720',
      '320x180@380',
    ]);
    assert.deepEqual(ladder(720, 24000 / 1001), [
      '1280x720@2940',
      '960x540@1850',
      '640x360@960',
      '480x270@600',
      '320x180@320',
    ]);
    assert.deepEqual(ladder(2160, 29.97)[0], '1920x1080@6780', 'stops at 1080p');
  });

  it('never exceeds the input bitrate, and sizes small inputs from themselves', () => {
    const low = adaptiveLadder({ displayWidth: 640, displayHeight: 360, frameRate: 29.97, bitrate: 700_000 });
    assert.deepEqual(
      low.map((r) => r.bitrate),
      [700, 440, 230],
    );
    const small = adaptiveLadder({
      displayWidth: 320,
      displayHeight: 240,
      frameRate: 25,
      bitrate: 5_000_000,
    });
    assert.deepEqual(
      small.map((r) => `${r.width}x${r.height}`),
      ['320x240', '240x180'],
    );
    const tiny = adaptiveLadder({ displayWidth: 160, displayHeight: 120, frameRate: 25, bitrate: 5_000_000 });
    assert.deepEqual(
      tiny.map((r) => `${r.width}x${r.height}`),
      ['160x120'],
    );
  });
});

describe('layer sizes', () => {
  const source = { width: 320, height: 240 };
  it('AutoSize keeps the input aspect and never upscales', () => {
    assert.deepEqual(layerSize({ width: px(1280), height: px(720) }, source, 'AutoSize'), {
      width: 320,
      height: 240,
      activeWidth: 320,
      activeHeight: 240,
      padX: 0,
      padY: 0,
    });
    const layer = layerSize({ width: px(320), height: px(180) }, source, 'AutoSize');
    assert.deepEqual([layer.width, layer.height], [240, 180]);
    const hd = layerSize({ width: px(640), height: px(360) }, { width: 1920, height: 1080 }, 'AutoSize');
    assert.deepEqual([hd.width, hd.height], [640, 360]);
  });

  it('AutoFit pads to the window; None stretches; percentages are of the input; sizes are even', () => {
    const fit = layerSize({ width: px(1280), height: px(720) }, { width: 1440, height: 1080 }, 'AutoFit');
    assert.deepEqual(fit, {
      width: 1280,
      height: 720,
      activeWidth: 960,
      activeHeight: 720,
      padX: 160,
      padY: 0,
    });
    const none = layerSize({ width: px(200), height: px(200) }, source, 'None');
    assert.deepEqual([none.width, none.height], [200, 200]);
    const half = layerSize({ width: pct(50), height: pct(50) }, { width: 322, height: 242 }, 'AutoSize');
    assert.deepEqual([half.width, half.height], [162, 122]);
    const one = layerSize({ height: px(100) }, source, 'AutoSize');
    assert.deepEqual([one.width, one.height], [134, 100]);
  });
});

describe('file names and times', () => {
  it('{Basename} is the first 32 characters of the name without its extension', () => {
    assert.equal(basenameOf('BigBuckBunny.mp4'), 'BigBuckBunny');
    assert.equal(basenameOf('a'.repeat(40) + '.mov'), 'a'.repeat(32));
    assert.equal(basenameOf('my.movie.final.mkv'), 'my.movie.final');
    assert.equal(
      expandFileName('{Basename}_{Width}x{Height}_{VideoBitrate}.mp4', {
        basename: 'clip',
        width: 1280,
        height: 720,
        videoBitrate: 3400,
        extension: '.mp4',
      }),
      'clip_1280x720_3400.mp4',
    );
    assert.equal(
      expandFileName('{Basename}_{Codec}_{Bitrate}_{Channel}{Extension}', {
        basename: 'clip',
        audioBitrate: 128,
        channels: 2,
        extension: '.mp4',
      }),
      'clip_AAC_128_2.mp4',
    );
  });

  it('reads clock and ISO times and prints xs:duration', () => {
    assert.equal(parseTime('00:00:02'), 2);
    assert.equal(parseTime('01:02:03.5'), 3723.5);
    assert.equal(parseTime('PT4S'), 4);
    assert.equal(parseTime('PT1M30.5S'), 90.5);
    assert.equal(parseTime('two seconds'), undefined);
    assert.equal(formatDuration(12678), 'PT12.678S');
    assert.equal(formatDuration(1537757), 'PT25M37.757S');
    assert.equal(formatDuration(0), 'PT0S');
  });

  it('schedules thumbnails from Start, Step and Range', () => {
    const codec = { format: 'jpg' as const, layers: [{ quality: 90 }] };
    const times = (spec: object, duration = 100) => {
      const schedule = thumbnailSchedule({ ...codec, ...spec } as never, duration, 25);
      assert.equal(schedule.best, false);
      return schedule.best ? [] : schedule.times;
    };
    assert.deepEqual(
      times({
        start: { kind: 'percent', value: 5 },
        step: { kind: 'percent', value: 10 },
        range: { kind: 'percent', value: 96 },
      }),
      [5, 15, 25, 35, 45, 55, 65, 75, 85, 95],
    );
    assert.deepEqual(
      times({
        start: { kind: 'seconds', value: 30 },
        step: { kind: 'frame', value: 1 },
        range: { kind: 'frame', value: 1 },
      }),
      [30],
    );
    assert.deepEqual(times({ start: { kind: 'frame', value: 50 } }), [2]);
    assert.deepEqual(
      times({
        start: { kind: 'seconds', value: 1 },
        step: { kind: 'seconds', value: 10 },
        range: { kind: 'seconds', value: 58 },
      }),
      [1, 11, 21, 31, 41, 51],
    );
    assert.deepEqual(thumbnailSchedule({ ...codec, start: { kind: 'best' } }, 2, 25), {
      best: true,
      windowSec: 2,
    });
    rejects(
      () => times({ start: { kind: 'seconds', value: 30 } }, 10),
      'ErrorExecutingTaskUnsupportedFormat',
      /Start \(30\.000 s\) is past the end of the input \(10\.000 s\)/,
    );
  });
});

describe('xml reader', () => {
  it('reads elements, attributes, entities and CDATA, and reports where it broke', () => {
    const root = parseXml('<?xml version="1.0"?><a x="1 &amp; 2"><b>t&lt;&#65;</b><![CDATA[<raw>]]></a>');
    assert.equal(root.attributes.x, '1 & 2');
    assert.equal(root.children[0]!.text, 't<A');
    assert.equal(root.text, '<raw>');
    assert.throws(() => parseXml('<a><b></a>'), /<\/a> closes <b> at offset/);
    assert.throws(() => parseXml('<a>&bogus;</a>'), /unknown entity/);
    assert.throws(() => parseXml('<a/><b/>'), /content after the root element/);
  });
});
