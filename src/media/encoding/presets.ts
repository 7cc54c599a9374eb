import { EncodingError, encodingErrorCodes } from './errors.js';
import type {
  AudioCodec,
  Complexity,
  Dimension,
  H264Profile,
  ImageCodec,
  ImageFormat,
  ImageLayer,
  OutputSpec,
  Preset,
  SourceSettings,
  StretchMode,
  TimeSpec,
  VideoCodec,
  VideoLayer,
} from './preset.js';
import { SYSTEM_PRESETS, systemPreset } from './systemPresets.js';
import { parseRational, parseTime } from './times.js';
import type { XmlElement } from './xml.js';
import { XmlSyntaxError, attribute, child, parseXml } from './xml.js';

export type { Preset } from './preset.js';
export { SYSTEM_PRESETS };

/**
 * A Task's Configuration read into a Preset: a system preset name (any case), a JSON preset, or an
 * XML preset (MES schema 2014/03), each checked the way MES checked it. Anything else is an
 * EncodingError with code ErrorParsingConfiguration whose message names the offending setting.
 */
export function parsePreset(configuration: string): Preset {
  const text = configuration.replace(/^\uFEFF/, '').trim();
  if (text.length === 0)
    throw invalid('The task configuration is empty: give a preset name or a JSON/XML preset.');
  if (text.startsWith('{') || text.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw invalid(`The task configuration is not valid JSON: ${(error as Error).message}.`);
    }
    return normalize(json);
  }
  if (text.startsWith('<')) {
    let root: XmlElement;
    try {
      root = parseXml(text);
    } catch (error) {
      if (error instanceof XmlSyntaxError)
        throw invalid(`The task configuration is not valid XML: ${error.message}.`);
      throw error;
    }
    return normalize(xmlPresetToJson(root));
  }
  const preset = systemPreset(text);
  if (!preset) {
    throw invalid(
      `'${text.length > 200 ? `${text.slice(0, 200)}…` : text}' is not a Media Encoder Standard system preset, and the configuration is neither a JSON nor an XML preset.`,
    );
  }
  return preset;
}

const invalid = (message: string): EncodingError =>
  new EncodingError(encodingErrorCodes.parsingConfiguration, message);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A property by name, ignoring case (MES's JSON reader did). */
function get(object: Json, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function text(object: Json, name: string, where: string): string | undefined {
  const value = get(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalid(`${where}.${name} must be a string.`);
}

function numberOf(object: Json, name: string, where: string, range: [number, number]): number | undefined {
  const raw = get(object, name);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(value) || value < range[0] || value > range[1])
    throw invalid(
      `${where}.${name} must be a number from ${range[0]} to ${range[1]}; got ${JSON.stringify(raw)}.`,
    );
  return value;
}

function booleanOf(object: Json, name: string, where: string): boolean | undefined {
  const raw = get(object, name);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim()))
    return raw.trim().toLowerCase() === 'true';
  throw invalid(`${where}.${name} must be true or false; got ${JSON.stringify(raw)}.`);
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  where: string,
): T | undefined {
  if (value === undefined) return undefined;
  const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!match) throw invalid(`${where} must be one of ${allowed.join(', ')}; got '${value}'.`);
  return match;
}

function timeOf(object: Json, name: string, where: string, fallback: number): number {
  const value = text(object, name, where);
  if (value === undefined || value === '') return fallback;
  const seconds = parseTime(value);
  if (seconds === undefined)
    throw invalid(`${where}.${name} must be a time such as "00:00:02"; got '${value}'.`);
  return seconds;
}

function dimension(object: Json, name: string, where: string): Dimension | undefined {
  const value = text(object, name, where);
  if (value === undefined || value === '') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(value);
  const amount = match ? Number(match[1]) : NaN;
  const percent = match?.[2] === '%';
  if (!match || amount <= 0 || (percent ? amount > 100 : amount > 8192 || !Number.isInteger(amount)))
    throw invalid(
      `${where}.${name} must be a size in pixels (up to 8192) or a percentage (1%–100%); got '${value}'.`,
    );
  return { value: amount, percent };
}

function list(object: Json, name: string, where: string): Json[] {
  const value = get(object, name);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every(isObject))
    throw invalid(`${where}.${name} must be an array of objects.`);
  return value;
}

function typeOf(object: Json, where: string, inferred: string | undefined): string {
  const type = text(object, 'Type', where) ?? inferred;
  if (!type) throw invalid(`${where} has no Type.`);
  return type;
}

function normalize(json: unknown): Preset {
  if (!isObject(json)) throw invalid('A JSON preset must be an object with Codecs and Outputs.');
  const codecs = list(json, 'Codecs', 'Preset');
  const outputsJson = list(json, 'Outputs', 'Preset');
  if (codecs.length === 0) throw invalid('The preset has no Codecs.');
  if (outputsJson.length === 0) throw invalid('The preset has no Outputs.');
  const version = numberOf(json, 'Version', 'Preset', [0, 100]);
  if (version !== undefined && Math.floor(version) !== 1)
    throw invalid(`Preset Version ${version} is not supported; use 1.0.`);

  const preset: Preset = { source: sourceSettings(json), images: [], outputs: [] };
  const rootStretch = oneOf(text(json, 'StretchMode', 'Preset'), STRETCH_MODES, 'Preset.StretchMode');

  codecs.forEach((codec, i) => {
    const where = `Codecs[${i}]`;
    const inferred =
      get(codec, 'H264Layers') !== undefined
        ? 'H264Video'
        : get(codec, 'PngLayers') !== undefined
          ? 'PngImage'
          : get(codec, 'JpgLayers') !== undefined
            ? 'JpgImage'
            : get(codec, 'BmpLayers') !== undefined
              ? 'BmpImage'
              : undefined;
    const type = typeOf(codec, where, inferred);
    switch (type.toLowerCase()) {
      case 'h264video':
        if (preset.video) throw invalid('The preset has more than one H264Video codec.');
        preset.video = videoCodec(codec, where, rootStretch);
        break;
      case 'aacaudio':
      case 'copyaudio':
        if (preset.audio) throw invalid('The preset has more than one audio codec.');
        preset.audio = type.toLowerCase() === 'copyaudio' ? { kind: 'copy' } : audioCodec(codec, where);
        break;
      case 'pngimage':
      case 'jpgimage':
      case 'bmpimage':
        preset.images.push(imageCodec(codec, where, type.slice(0, 3).toLowerCase() as ImageFormat));
        break;
      default:
        throw invalid(
          `${where}.Type '${type}' is not supported; use H264Video, AACAudio, CopyAudio, PngImage, JpgImage or BmpImage.`,
        );
    }
  });

  outputsJson.forEach((output, i) => preset.outputs.push(outputSpec(output, `Outputs[${i}]`)));
  checkOutputs(preset);
  return preset;
}

const STRETCH_MODES: readonly StretchMode[] = ['None', 'AutoSize', 'AutoFit'];
const COMPLEXITIES: readonly Complexity[] = ['Speed', 'Balanced', 'Quality'];
const PROFILES: readonly H264Profile[] = ['Auto', 'Baseline', 'Main', 'High'];
const LEVELS = [
  '1',
  '1b',
  '1.1',
  '1.2',
  '1.3',
  '2',
  '2.1',
  '2.2',
  '3',
  '3.1',
  '3.2',
  '4',
  '4.1',
  '4.2',
  '5',
  '5.1',
  '5.2',
];

function sourceSettings(json: Json): SourceSettings {
  const sources = list(json, 'Sources', 'Preset');
  const settings: SourceSettings = { deinterlace: true };
  if (sources.length > 1)
    throw invalid('Sources with more than one entry (concatenation) are not supported.');
  const source = sources[0];
  if (!source) return settings;
  if (get(source, 'AssetID') !== undefined)
    throw invalid('Sources[0].AssetID (concatenation) is not supported.');
  if (get(source, 'StartTime') !== undefined)
    settings.startSec = timeOf(source, 'StartTime', 'Sources[0]', 0);
  if (get(source, 'Duration') !== undefined) {
    const duration = timeOf(source, 'Duration', 'Sources[0]', 0);
    if (duration <= 0) throw invalid('Sources[0].Duration must be longer than zero.');
    settings.durationSec = duration;
  }
  const filters = get(source, 'Filters');
  if (filters !== undefined && filters !== null) {
    if (!isObject(filters)) throw invalid('Sources[0].Filters must be an object.');
    for (const [name, value] of Object.entries(filters)) {
      const where = `Sources[0].Filters.${name}`;
      if (!isObject(value)) throw invalid(`${where} must be an object.`);
      if (name.toLowerCase() === 'deinterlace') {
        const mode = oneOf(
          text(value, 'Mode', where),
          ['Off', 'AutoPixelAdaptive'] as const,
          `${where}.Mode`,
        );
        settings.deinterlace = mode !== 'Off';
      } else if (name.toLowerCase() === 'crop') {
        const x = numberOf(value, 'X', where, [0, 8192]) ?? 0;
        const y = numberOf(value, 'Y', where, [0, 8192]) ?? 0;
        const width = numberOf(value, 'Width', where, [2, 8192]);
        const height = numberOf(value, 'Height', where, [2, 8192]);
        if (width === undefined || height === undefined) throw invalid(`${where} needs Width and Height.`);
        settings.crop = {
          x: Math.round(x),
          y: Math.round(y),
          width: Math.round(width),
          height: Math.round(height),
        };
      } else {
        throw invalid(`${where} is not supported (overlays are not); only Crop and Deinterlace are.`);
      }
    }
  }
  return settings;
}

function videoCodec(json: Json, where: string, rootStretch: StretchMode | undefined): VideoCodec {
  const layersJson = list(json, 'H264Layers', where);
  if (layersJson.length === 0) throw invalid(`${where}.H264Layers must list at least one H264Layer.`);
  const condition = oneOf(
    text(json, 'Condition', where),
    ['InsertBlackIfNoVideo', 'InsertBlackIfNoVideoBottomLayerOnly'] as const,
    `${where}.Condition`,
  );
  const codec: VideoCodec = {
    keyFrameIntervalSec: timeOf(json, 'KeyFrameInterval', where, 2),
    sceneChangeDetection: booleanOf(json, 'SceneChangeDetection', where) ?? false,
    complexity: oneOf(text(json, 'Complexity', where), COMPLEXITIES, `${where}.Complexity`) ?? 'Balanced',
    stretchMode:
      oneOf(text(json, 'StretchMode', where), STRETCH_MODES, `${where}.StretchMode`) ??
      rootStretch ??
      'AutoSize',
    ...(condition ? { condition } : {}),
    layers: layersJson.map((layer, i) => videoLayer(layer, `${where}.H264Layers[${i}]`)),
  };
  if (codec.keyFrameIntervalSec <= 0 || codec.keyFrameIntervalSec > 20)
    throw invalid(`${where}.KeyFrameInterval must be between 0 and 20 seconds.`);
  if (codec.sceneChangeDetection && codec.layers.length > 1)
    throw invalid(
      `${where}.SceneChangeDetection can only be true for a single-bitrate encode: multiple layers must stay GOP-aligned.`,
    );
  const rates = new Set(codec.layers.map((l) => l.frameRate ?? 0));
  if (rates.size > 1) throw invalid(`${where}: every H264Layer must use the same FrameRate.`);
  return codec;
}

function videoLayer(json: Json, where: string): VideoLayer {
  const bitrate = numberOf(json, 'Bitrate', where, [1, 250000]);
  if (bitrate === undefined) throw invalid(`${where}.Bitrate is required (kbps).`);
  const maxBitrate = numberOf(json, 'MaxBitrate', where, [1, 250000]);
  if (maxBitrate !== undefined && maxBitrate < bitrate)
    throw invalid(`${where}.MaxBitrate (${maxBitrate}) is lower than Bitrate (${bitrate}).`);
  const frameRateText = text(json, 'FrameRate', where);
  let frameRate: number | undefined;
  if (frameRateText !== undefined && frameRateText !== '' && !/^0(\/\d+)?$/.test(frameRateText)) {
    frameRate = parseRational(frameRateText);
    if (frameRate === undefined || frameRate > 240)
      throw invalid(
        `${where}.FrameRate must be a rational such as "30000/1001", or "0/1"; got '${frameRateText}'.`,
      );
  }
  const levelText = text(json, 'Level', where);
  let level: string | undefined;
  if (levelText !== undefined && levelText.toLowerCase() !== 'auto' && levelText !== '') {
    level = LEVELS.find((l) => l === levelText.toLowerCase() || Number(l) === Number(levelText));
    if (!level)
      throw invalid(`${where}.Level must be auto or an H.264 level (1 to 5.2); got '${levelText}'.`);
  }
  const width = dimension(json, 'Width', where);
  const height = dimension(json, 'Height', where);
  for (const [name, size] of [
    ['Width', width],
    ['Height', height],
  ] as const) {
    if (size && !size.percent && size.value % 2 !== 0)
      throw invalid(`${where}.${name} must be an even number.`);
  }
  const bFrames = numberOf(json, 'BFrames', where, [0, 16]);
  const referenceFrames = numberOf(json, 'ReferenceFrames', where, [1, 16]) ?? 3;
  return {
    bitrate: Math.round(bitrate),
    ...(maxBitrate !== undefined ? { maxBitrate: Math.round(maxBitrate) } : {}),
    bufferWindowSec: timeOf(json, 'BufferWindow', where, 5) || 5,
    ...(width ? { width } : {}),
    ...(height ? { height } : {}),
    ...(frameRate !== undefined ? { frameRate } : {}),
    profile: oneOf(text(json, 'Profile', where), PROFILES, `${where}.Profile`) ?? 'Auto',
    ...(level ? { level } : {}),
    ...(bFrames !== undefined ? { bFrames: Math.round(bFrames) } : {}),
    referenceFrames: Math.round(referenceFrames),
    adaptiveBFrame: booleanOf(json, 'AdaptiveBFrame', where) ?? true,
    entropyMode:
      oneOf(text(json, 'EntropyMode', where), ['Cabac', 'Cavlc'] as const, `${where}.EntropyMode`) ?? 'Cabac',
    slices: Math.round(numberOf(json, 'Slices', where, [0, 32]) ?? 0),
  };
}

const SAMPLING_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000];

function audioCodec(json: Json, where: string): AudioCodec {
  const profile = oneOf(
    text(json, 'Profile', where),
    ['AACLC', 'HEAACV1', 'HEAACV2'] as const,
    `${where}.Profile`,
  );
  const channels = numberOf(json, 'Channels', where, [1, 8]) ?? 2;
  if (![1, 2, 5, 6, 8].includes(channels)) throw invalid(`${where}.Channels must be 1, 2, 5, 6 or 8.`);
  const samplingRate = numberOf(json, 'SamplingRate', where, [8000, 96000]) ?? 48000;
  if (!SAMPLING_RATES.includes(samplingRate))
    throw invalid(`${where}.SamplingRate must be one of ${SAMPLING_RATES.join(', ')} Hz.`);
  const bitrate = numberOf(json, 'Bitrate', where, [8, 1024]) ?? 128;
  if (profile === 'HEAACV2' && channels !== 2) throw invalid(`${where}: HEAACV2 needs Channels 2.`);
  const condition = oneOf(
    text(json, 'Condition', where),
    ['InsertSilenceIfNoAudio'] as const,
    `${where}.Condition`,
  );
  return {
    kind: 'aac',
    profile: profile ?? 'AACLC',
    channels,
    samplingRate,
    bitrate: Math.round(bitrate),
    ...(condition ? { condition } : {}),
  };
}

function timeSpec(value: string | undefined, where: string, allowBest: boolean): TimeSpec | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\{best\}$/i.test(value)) {
    if (!allowBest) throw invalid(`${where}: {Best} is only allowed for Start.`);
    return { kind: 'best' };
  }
  if (/^\d+$/.test(value)) return { kind: 'frame', value: Number(value) };
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (percent) {
    const share = Number(percent[1]);
    if (share > 100) throw invalid(`${where} cannot be more than 100%.`);
    return { kind: 'percent', value: share };
  }
  const seconds = parseTime(value);
  if (seconds === undefined)
    throw invalid(
      `${where} must be a frame number, a percentage, a time such as "00:00:05", or {Best}; got '${value}'.`,
    );
  return { kind: 'seconds', value: seconds };
}

function imageCodec(json: Json, where: string, format: ImageFormat): ImageCodec {
  const layerKey = `${format === 'png' ? 'Png' : format === 'jpg' ? 'Jpg' : 'Bmp'}Layers`;
  const layersJson = list(json, layerKey, where);
  const layers: ImageLayer[] = (layersJson.length > 0 ? layersJson : [{}]).map((layer, i) => {
    const at = `${where}.${layerKey}[${i}]`;
    const width = dimension(layer, 'Width', at);
    const height = dimension(layer, 'Height', at);
    return {
      ...(width ? { width } : {}),
      ...(height ? { height } : {}),
      quality: Math.round(numberOf(layer, 'Quality', at, [1, 100]) ?? 70),
    };
  });
  const start = timeSpec(text(json, 'Start', where), `${where}.Start`, true) ?? { kind: 'best' };
  const step = timeSpec(text(json, 'Step', where), `${where}.Step`, false);
  const range = timeSpec(text(json, 'Range', where), `${where}.Range`, false);
  if (step && step.kind !== 'best' && step.value <= 0)
    throw invalid(`${where}.Step must be longer than zero.`);
  return { format, start, ...(step ? { step } : {}), ...(range ? { range } : {}), layers };
}

const FORMATS: Record<string, OutputSpec['format']> = {
  mp4format: 'mp4',
  pngformat: 'png',
  jpgformat: 'jpg',
  bmpformat: 'bmp',
};

function outputSpec(json: Json, where: string): OutputSpec {
  const fileName = text(json, 'FileName', where);
  if (!fileName) throw invalid(`${where}.FileName is required.`);
  if (/[/\\]/.test(fileName) || fileName.includes('..'))
    throw invalid(`${where}.FileName '${fileName}' must be a plain file name.`);
  const formatJson = get(json, 'Format');
  const type = isObject(formatJson) ? text(formatJson, 'Type', `${where}.Format`) : undefined;
  const format = type ? FORMATS[type.toLowerCase()] : undefined;
  if (!format) {
    throw invalid(
      `${where}.Format.Type ${type ? `'${type}' is not supported` : 'is required'}; use MP4Format, PngFormat, JpgFormat or BmpFormat.`,
    );
  }
  return { fileName, format, streams: 'both' };
}

const MACROS = new Set([
  'basename',
  'codec',
  'videocodec',
  'audiocodec',
  'bitrate',
  'videobitrate',
  'audiobitrate',
  'channel',
  'width',
  'height',
  'resolution',
  'extension',
  'index',
  'language',
]);

/** Each codec needs a matching output and the other way round; macros must be known ones. */
function checkOutputs(preset: Preset): void {
  for (const output of preset.outputs) {
    for (const match of output.fileName.matchAll(/\{([^}]*)\}/g)) {
      if (!MACROS.has((match[1] ?? '').toLowerCase()))
        throw invalid(`FileName '${output.fileName}' uses the unknown macro {${match[1]}}.`);
    }
    const indexes = output.fileName.match(/\{index\}/gi)?.length ?? 0;
    if (output.format === 'mp4') {
      if (!preset.video && !preset.audio)
        throw invalid(`An MP4Format output needs an H264Video or AACAudio codec.`);
    } else {
      if (indexes !== 1)
        throw invalid(
          `The ${output.format.toUpperCase()} output '${output.fileName}' must use {Index} exactly once.`,
        );
      if (!preset.images.some((image) => image.format === output.format)) {
        const codec = `${output.format[0]!.toUpperCase()}${output.format.slice(1)}Image`;
        throw invalid(`The ${output.format.toUpperCase()}Format output has no ${codec} codec to encode.`);
      }
    }
  }
  const mp4Outputs = preset.outputs.filter((o) => o.format === 'mp4');
  if (mp4Outputs.length > 1) throw invalid('Only one MP4Format output is supported.');
  if ((preset.video || preset.audio) && mp4Outputs.length === 0)
    throw invalid('The preset encodes video or audio but has no MP4Format output.');
  for (const image of preset.images) {
    if (!preset.outputs.some((o) => o.format === image.format))
      throw invalid(
        `The ${image.format.toUpperCase()} image codec needs an output with ${image.format[0]!.toUpperCase()}${image.format.slice(1)}Format.`,
      );
  }
  const formats = preset.images.map((i) => i.format);
  if (new Set(formats).size !== formats.length)
    throw invalid('Each image type may appear only once in Codecs.');
}

/** Element names that hold a list of same-shaped children. */
const LIST_ELEMENTS = new Set(['h264layers', 'pnglayers', 'jpglayers', 'bmplayers', 'sources']);

function elementToJson(element: XmlElement): Json {
  const json: Json = { ...element.attributes };
  for (const c of element.children) {
    const key = c.name;
    if (LIST_ELEMENTS.has(key.toLowerCase()))
      json[key] = c.children.map((g) => ({ Type: g.name, ...elementToJson(g) }));
    else if (c.children.length === 0 && Object.keys(c.attributes).length === 0) json[key] = c.text;
    else json[key] = elementToJson(c);
  }
  return json;
}

/** An XML preset in the JSON preset's shape, so that one normalizer checks both. */
function xmlPresetToJson(root: XmlElement): Json {
  if (root.name !== 'Preset')
    throw invalid(`An XML preset's root element must be <Preset>, not <${root.name}>.`);
  const encoding = child(root, 'Encoding');
  const outputs = child(root, 'Outputs');
  const json: Json = {};
  const version = attribute(root, 'Version');
  if (version !== undefined) json.Version = version;
  const stretch = child(root, 'StretchMode');
  if (stretch) json.StretchMode = stretch.text;
  const sources = child(root, 'Sources');
  if (sources) json.Sources = sources.children.map((s) => elementToJson(s));
  json.Codecs = (encoding?.children ?? []).map((codec) => ({ Type: codec.name, ...elementToJson(codec) }));
  json.Outputs = (outputs?.children ?? []).map((output) => {
    const format = output.children[0];
    return {
      FileName: attribute(output, 'FileName'),
      ...(format ? { Format: { Type: format.name } } : {}),
    };
  });
  return json;
}
