import { availableParallelism } from 'node:os';
import { EncodingError, encodingErrorCodes } from './errors.js';
import type { FfmpegTools } from './ffmpegBinary.js';
import { adaptiveLadder } from './ladder.js';
import type { MacroValues } from './naming.js';
import { NameRegistry, basenameOf, expandFileName, sidecarNames, usesVideoMacros } from './naming.js';
import type {
  AudioCodec,
  Complexity,
  ImageCodec,
  ImageFormat,
  Preset,
  VideoCodec,
  VideoLayer,
} from './preset.js';
import { parsePreset } from './presets.js';
import type { MediaInfo } from './probe.js';
import type { LayerSize } from './sizing.js';
import { layerSize } from './sizing.js';
import { BEST_WINDOW_SEC, selectExpression, thumbnailSchedule } from './thumbnails.js';

/** What a Media Encoder Standard task asks of the encoder. */
export interface EncodeRequest {
  /** The input asset's files, by name, where they are on disk. */
  inputs: { name: string; path: string }[];
  /** The asset's primary file, if one is marked. */
  primaryName?: string;
  /** The input asset's id (a bare GUID or nb:cid:UUID:…), for `<guid>_metadata.xml`. */
  inputAssetGuid: string;
  /** The Task's Configuration: a system preset name or a JSON/XML preset. */
  configuration: string;
  outputDir: string;
  signal: AbortSignal;
  /** 0 → 100, rising, a few times a second at most. */
  onProgress: (percent: number) => void;
}

/** One file ffmpeg writes, as planned. Bitrates are the preset's targets, kbps. */
export interface PlannedFile {
  name: string;
  kind: 'mp4' | 'image';
  mimeType: string;
  hasVideo: boolean;
  hasAudio: boolean;
  width?: number;
  height?: number;
  videoBitrate?: number;
  audioBitrate?: number;
  /** Target frame rate; absent when the input's is kept. */
  frameRate?: number;
  /** Images: the format and which codec/layer they come from. */
  imageFormat?: ImageFormat;
}

export interface EncodePlan {
  command: string;
  args: string[];
  input: { name: string; path: string };
  basename: string;
  /** Where `args` writes. */
  outputDir: string;
  /** The MP4s, in ladder order (highest layer first), then the images. */
  files: PlannedFile[];
  /** The length of media ffmpeg will produce, for progress. */
  durationMs: number;
  preset: Preset;
  /** Departures from the preset the customer should know about (PerfMessage). */
  notes: string[];
}

export interface PlanOptions {
  /** Where ffmpeg writes; the request's outputDir by default. */
  outputDir?: string;
  /** Threads per H.264 encoder; the machine's core count by default. */
  threads?: number;
}

/** Manifests and metadata that sit beside the media in an asset (a previous task's output). */
const MEDIA_EXCLUDED = /\.(xml|ism|ismc)$/i;

/** The file to encode: the primary one when marked, else the only media file of the asset. */
export function selectInput(request: Pick<EncodeRequest, 'inputs' | 'primaryName'>): {
  name: string;
  path: string;
} {
  if (request.primaryName) {
    const wanted = request.primaryName.toLowerCase();
    const primary = request.inputs.find((f) => f.name.toLowerCase() === wanted);
    if (!primary) {
      throw new EncodingError(
        encodingErrorCodes.inputMalformed,
        `The primary file '${request.primaryName}' is not among the input asset's files.`,
      );
    }
    return primary;
  }
  const media = request.inputs.filter((f) => !MEDIA_EXCLUDED.test(f.name));
  if (media.length === 1) return media[0]!;
  if (media.length === 0)
    throw new EncodingError(
      encodingErrorCodes.inputMalformed,
      'The input asset has no media file to encode.',
    );
  throw new EncodingError(
    encodingErrorCodes.inputMalformed,
    `The input asset has ${media.length} media files and none is marked primary: mark the one to encode with IsPrimary.`,
  );
}

const X264_PRESETS: Record<Complexity, string> = { Speed: 'veryfast', Balanced: 'medium', Quality: 'slow' };
const JPEG_QSCALE = (quality: number): number => Math.round(2 + ((100 - quality) * 29) / 99);

const fixed = (value: number): string => String(Math.round(value * 1e6) / 1e6);

interface PlannedLayer {
  layer: VideoLayer;
  size: LayerSize;
}

interface Pipeline {
  /** The filtergraph source pad and chain applied before the split (deinterlace, crop, frame rate). */
  videoSource: string;
  videoPrefilters: string[];
  audioSource?: string;
  /** Extra lavfi inputs (black video, silence), before the real input's index. */
  extraInputs: string[][];
}

/**
 * The ffmpeg command for a task: one process that decodes the input once, splits the picture,
 * and encodes every layer, the audio and the thumbnails. Pure: no file is touched, so the bench
 * can run the same command directly.
 */
export function planEncode(
  tools: FfmpegTools,
  request: Pick<EncodeRequest, 'inputs' | 'primaryName' | 'configuration' | 'outputDir'> &
    Partial<Pick<EncodeRequest, 'inputAssetGuid'>>,
  info: MediaInfo,
  options: PlanOptions = {},
): EncodePlan {
  const input = selectInput(request);
  const preset = parsePreset(request.configuration);
  const basename = basenameOf(input.name);
  const outputDir = options.outputDir ?? request.outputDir;
  const threads = Math.max(1, Math.round(options.threads ?? availableParallelism()));
  const notes: string[] = [];
  // Encoded files never take the names of the metadata files and the server manifest.
  const names = new NameRegistry(Object.values(sidecarNames(basename, request.inputAssetGuid ?? '')));

  // The part of the input that is encoded.
  const startSec = preset.source.startSec ?? 0;
  const inputSec = info.durationMs / 1000;
  if (startSec > 0 && inputSec > 0 && startSec >= inputSec) {
    throw new EncodingError(
      encodingErrorCodes.unsupportedFormat,
      `Sources StartTime (${startSec} s) is past the end of the input '${input.name}' (${inputSec.toFixed(3)} s).`,
    );
  }
  let durationSec = Math.max(0, inputSec - startSec);
  if (preset.source.durationSec !== undefined)
    durationSec = Math.min(durationSec || Infinity, preset.source.durationSec);

  const video = info.video;
  const audio = info.audio;
  if (!video && !audio) {
    throw new EncodingError(
      encodingErrorCodes.unsupportedFormat,
      `The input '${input.name}' has no video or audio stream.`,
    );
  }
  if (preset.images.length > 0 && !video) {
    throw new EncodingError(
      encodingErrorCodes.unsupportedFormat,
      `The preset asks for thumbnails, but the input '${input.name}' has no video stream.`,
    );
  }
  if (
    !preset.video &&
    preset.images.length === 0 &&
    preset.audio &&
    !audio &&
    preset.audio.kind === 'aac' &&
    !preset.audio.condition
  ) {
    throw new EncodingError(
      encodingErrorCodes.unsupportedFormat,
      `The preset produces audio only, but the input '${input.name}' has no audio stream.`,
    );
  }

  // The picture every layer is sized against: the input as displayed, after any crop.
  let picture = video ? { width: video.displayWidth, height: video.displayHeight } : undefined;
  const crop = preset.source.crop;
  if (video && crop) {
    const coded =
      video.rotation % 180 === 90 ? { w: video.height, h: video.width } : { w: video.width, h: video.height };
    if (crop.x + crop.width > coded.w || crop.y + crop.height > coded.h) {
      throw new EncodingError(
        encodingErrorCodes.unsupportedFormat,
        `The Crop rectangle ${crop.width}x${crop.height}+${crop.x}+${crop.y} does not fit the input picture (${coded.w}x${coded.h}).`,
      );
    }
    picture = {
      width: (crop.width / coded.w) * video.displayWidth,
      height: (crop.height / coded.h) * video.displayHeight,
    };
  }

  // Video layers.
  let codec: VideoCodec | undefined = preset.video;
  let layers: VideoLayer[] = codec?.layers ?? [];
  if (codec && preset.adaptive && video && picture) {
    layers = adaptiveLadder({ ...video, displayWidth: picture.width, displayHeight: picture.height }).map(
      (rung) => ({
        bitrate: rung.bitrate,
        maxBitrate: rung.bitrate,
        bufferWindowSec: 5,
        width: { value: rung.width, percent: false },
        height: { value: rung.height, percent: false },
        profile: 'Auto',
        bFrames: 3,
        referenceFrames: 3,
        adaptiveBFrame: true,
        entropyMode: 'Cabac',
        slices: 0,
      }),
    );
  }
  let blackVideo: { width: number; height: number } | undefined;
  if (codec && !video) {
    if (codec.condition && layers.length > 0) {
      if (codec.condition === 'InsertBlackIfNoVideoBottomLayerOnly') {
        const lowest = layers.reduce((a, b) => (b.bitrate < a.bitrate ? b : a));
        layers = [lowest];
      }
      const top = layers[0]!;
      blackVideo = {
        width: top.width && !top.width.percent ? top.width.value : 1280,
        height: top.height && !top.height.percent ? top.height.value : 720,
      };
      picture = blackVideo;
      notes.push('The input has no video: a black picture was encoded (Condition on H264Video).');
    } else {
      codec = undefined;
      layers = [];
    }
  }
  const frame = picture;
  const planned: PlannedLayer[] =
    frame && codec
      ? layers.map((layer) => ({ layer, size: layerSize(layer, frame, codec.stretchMode) }))
      : [];
  const larger = (dimension: VideoLayer['width'], limit: number): boolean =>
    dimension !== undefined && !dimension.percent && dimension.value > limit + 1;
  if (
    frame &&
    planned.some(({ layer }) => larger(layer.width, frame.width) || larger(layer.height, frame.height))
  )
    notes.push(
      `Layers larger than the input (${Math.round(frame.width)}x${Math.round(frame.height)}) were sized down to fit it.`,
    );

  // Audio.
  let audioCodec: AudioCodec | undefined = preset.audio;
  let silence = false;
  if (audioCodec && !audio) {
    if (audioCodec.kind === 'aac' && audioCodec.condition === 'InsertSilenceIfNoAudio') silence = true;
    else audioCodec = undefined;
  }
  if (audioCodec?.kind === 'aac' && audioCodec.profile !== 'AACLC')
    notes.push(
      `${audioCodec.profile} audio was encoded as AAC-LC at ${audioCodec.bitrate} kbps (the encoder has no HE-AAC).`,
    );
  const audioKbps =
    audioCodec?.kind === 'aac'
      ? audioCodec.bitrate
      : audioCodec?.kind === 'copy' && audio
        ? Math.round(audio.bitrate / 1000)
        : undefined;
  const audioChannels = audioCodec?.kind === 'aac' ? audioCodec.channels : audio?.channels;
  const language = audio?.tags.language;

  if (planned.length === 0 && !audioCodec && preset.images.length === 0) {
    throw new EncodingError(
      encodingErrorCodes.unsupportedFormat,
      `Nothing to encode: the preset's codecs do not match the streams of '${input.name}'.`,
    );
  }

  // Inputs: lavfi generators first when needed, then the real file.
  const pipeline: Pipeline = { videoSource: '', videoPrefilters: [], extraInputs: [] };
  const lengthArgs = Number.isFinite(durationSec) && durationSec > 0 ? ['-t', fixed(durationSec)] : [];
  const imageOnly = planned.length === 0 && !audioCodec;
  if (blackVideo) {
    pipeline.extraInputs.push([
      ...lengthArgs,
      '-f',
      'lavfi',
      '-i',
      `color=c=black:s=${blackVideo.width}x${blackVideo.height}:r=25`,
    ]);
  }
  if (silence && audioCodec?.kind === 'aac') {
    pipeline.extraInputs.push([
      ...lengthArgs,
      '-f',
      'lavfi',
      '-i',
      `anullsrc=r=${audioCodec.samplingRate}:cl=stereo`,
    ]);
  }
  const main = pipeline.extraInputs.length;
  pipeline.videoSource = blackVideo ? '[0:v]' : `[${main}:v:0]`;
  pipeline.audioSource = silence ? `${blackVideo ? 1 : 0}:a` : audio ? `${main}:a:0` : undefined;
  if (video && preset.source.deinterlace && video.interlaced)
    pipeline.videoPrefilters.push('yadif=mode=send_frame:deint=interlaced');
  if (video && crop) pipeline.videoPrefilters.push(`crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}`);
  const frameRate = planned[0]?.layer.frameRate;
  if (frameRate !== undefined) pipeline.videoPrefilters.push(`fps=${fixed(frameRate)}`);
  const outputRate = frameRate ?? video?.frameRate ?? 25;

  // Thumbnails: when, and whether the input can be cut short.
  const schedules = preset.images.map((image) => thumbnailSchedule(image, durationSec, outputRate));
  let inputLimitSec: number | undefined = preset.source.durationSec;
  if (imageOnly) {
    const needed = Math.max(
      ...schedules.map((s) => (s.best ? s.windowSec : (s.times[s.times.length - 1] ?? 0) + 2 / outputRate)),
    );
    inputLimitSec = Math.min(inputLimitSec ?? Infinity, needed + 1);
    durationSec = Math.min(durationSec, inputLimitSec);
  }

  const args: string[] = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
  ];
  for (const extra of pipeline.extraInputs) args.push(...extra);
  if (startSec > 0) args.push('-ss', fixed(startSec));
  if (inputLimitSec !== undefined && Number.isFinite(inputLimitSec)) args.push('-t', fixed(inputLimitSec));
  args.push('-i', input.path);

  // The filtergraph: one decode, one split, a branch per layer and per image codec.
  const branches = planned.length + preset.images.length;
  const graph: string[] = [];
  const splitLabels = Array.from({ length: branches }, (_, i) => `[s${i}]`);
  if (branches > 0) {
    const chain = [...pipeline.videoPrefilters, branches > 1 ? `split=${branches}` : 'null'].join(',');
    graph.push(`${pipeline.videoSource}${chain}${branches > 1 ? splitLabels.join('') : splitLabels[0]}`);
  }
  planned.forEach(({ size }, i) => {
    const steps = [`scale=${size.activeWidth}:${size.activeHeight}`, 'setsar=1'];
    if (size.activeWidth !== size.width || size.activeHeight !== size.height)
      steps.push(`pad=${size.width}:${size.height}:${size.padX}:${size.padY}:black`);
    steps.push('format=yuv420p');
    graph.push(`[s${i}]${steps.join(',')}[v${i}]`);
  });

  const files: PlannedFile[] = [];
  const outputs: string[] = [];
  const mp4 = preset.outputs.find((o) => o.format === 'mp4');
  const audioOnlyName = '{Basename}_AAC_{AudioBitrate}.mp4';

  const videoArgs = (layer: VideoLayer, vcodec: VideoCodec): string[] => {
    const frameRateForGop = layer.frameRate ?? video?.frameRate ?? 25;
    const gop = Math.max(1, Math.round(frameRateForGop * vcodec.keyFrameIntervalSec));
    const x264: string[] = [`keyint=${gop}`];
    if (!vcodec.sceneChangeDetection) x264.push(`min-keyint=${gop}`, 'scenecut=0');
    if (layer.bFrames !== undefined) x264.push(`bframes=${layer.bFrames}`);
    x264.push(`b-adapt=${layer.adaptiveBFrame ? 1 : 0}`, `ref=${layer.referenceFrames}`);
    if (layer.entropyMode === 'Cavlc') x264.push('cabac=0');
    if (layer.slices > 0) x264.push(`slices=${layer.slices}`);
    const out = [
      '-c:v',
      'libx264',
      '-preset',
      X264_PRESETS[vcodec.complexity],
      '-profile:v',
      layer.profile === 'Auto' ? 'high' : layer.profile.toLowerCase(),
    ];
    if (layer.level) out.push('-level:v', layer.level);
    out.push('-b:v', `${layer.bitrate}k`);
    if (layer.maxBitrate !== undefined)
      out.push(
        '-maxrate:v',
        `${layer.maxBitrate}k`,
        '-bufsize:v',
        `${Math.round(layer.maxBitrate * layer.bufferWindowSec)}k`,
      );
    out.push(
      '-x264-params:v',
      x264.join(':'),
      '-force_key_frames:v',
      `expr:gte(t,n_forced*${fixed(vcodec.keyFrameIntervalSec)})`,
      '-forced-idr:v',
      '1',
      '-pix_fmt',
      'yuv420p',
      '-threads:v',
      String(threads),
    );
    return out;
  };
  const audioArgs = (): string[] =>
    audioCodec?.kind === 'aac'
      ? [
          '-c:a',
          'aac',
          '-profile:a',
          'aac_low',
          '-b:a',
          `${audioCodec.bitrate}k`,
          '-ar',
          String(audioCodec.samplingRate),
          '-ac',
          String(audioCodec.channels),
        ]
      : ['-c:a', 'copy'];
  const mp4Tail = (path: string): string[] => [
    '-max_muxing_queue_size',
    '4096',
    '-map_metadata',
    '-1',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    path,
  ];
  const pathOf = (name: string): string => `${outputDir.replace(/[/\\]+$/, '')}/${name}`;
  const values = (extra: Partial<MacroValues>): MacroValues => ({ basename, extension: '.mp4', ...extra });

  if (mp4) {
    const interleave = mp4.streams === 'both';
    if (planned.length > 0 && mp4.streams !== 'audio') {
      planned.forEach(({ layer, size }, i) => {
        const withAudio = interleave && audioCodec !== undefined;
        const name = names.claim(
          expandFileName(
            mp4.fileName,
            values({
              width: size.width,
              height: size.height,
              videoBitrate: layer.bitrate,
              ...(withAudio
                ? {
                    audioBitrate: audioKbps ?? 0,
                    channels: audioChannels ?? 0,
                    ...(language ? { language } : {}),
                  }
                : {}),
            }),
          ),
        );
        outputs.push('-map', `[v${i}]`);
        if (withAudio) outputs.push('-map', pipeline.audioSource!);
        outputs.push(...videoArgs(layer, codec!));
        if (withAudio) outputs.push(...audioArgs());
        else outputs.push('-an');
        outputs.push(...mp4Tail(pathOf(name)));
        files.push({
          name,
          kind: 'mp4',
          mimeType: 'video/mp4',
          hasVideo: true,
          hasAudio: withAudio,
          width: size.width,
          height: size.height,
          videoBitrate: layer.bitrate,
          ...(withAudio && audioKbps !== undefined ? { audioBitrate: audioKbps } : {}),
          ...(layer.frameRate !== undefined ? { frameRate: layer.frameRate } : {}),
        });
      });
    }
    const separateAudio = mp4.streams === 'audio' || (planned.length === 0 && audioCodec !== undefined);
    // Adaptive Streaming writes its audio beside the video layers, named by its own template.
    const audioTemplate =
      preset.outputs.find((o) => o.format === 'mp4' && o.streams === 'audio')?.fileName ??
      (usesVideoMacros(mp4.fileName) ? audioOnlyName : mp4.fileName);
    if (
      (separateAudio || preset.outputs.some((o) => o.streams === 'audio')) &&
      audioCodec &&
      pipeline.audioSource
    ) {
      const name = names.claim(
        expandFileName(
          audioTemplate,
          values({
            audioBitrate: audioKbps ?? 0,
            channels: audioChannels ?? 0,
            ...(language ? { language } : {}),
          }),
        ),
      );
      outputs.push('-map', pipeline.audioSource, '-vn', ...audioArgs(), ...mp4Tail(pathOf(name)));
      files.push({
        name,
        kind: 'mp4',
        mimeType: 'audio/mp4',
        hasVideo: false,
        hasAudio: true,
        ...(audioKbps !== undefined ? { audioBitrate: audioKbps } : {}),
      });
    }
  }

  // Thumbnails.
  preset.images.forEach((image: ImageCodec, c) => {
    const output = preset.outputs.find((o) => o.format === image.format)!;
    const schedule = schedules[c]!;
    const branch = `[s${planned.length + c}]`;
    const sizes = image.layers.map((layer) => layerSize(layer, picture!, 'AutoSize'));
    let chain: string;
    let count: number;
    if (schedule.best) {
      // ffmpeg's `thumbnail` picks the frame most like the average of a batch: scan up to 24
      // evenly spaced frames of the first seconds as one batch, so exactly one frame comes out.
      const window = Math.max(schedule.windowSec, 1 / outputRate);
      const step = Math.max(1, Math.ceil((window * outputRate) / 24));
      const batch = Math.ceil((window * outputRate) / step) + 2;
      chain = `select='lt(t,${fixed(window)})*not(mod(n,${step}))',thumbnail=${batch}`;
      count = 1;
    } else {
      // Consecutive timestamps one second apart, with the output at 1 fps: image2 muxes at a
      // constant rate, and would fill the gaps between the chosen frames with copies.
      chain = `select='${selectExpression(schedule.times, outputRate)}',setpts=N/TB`;
      count = schedule.times.length;
    }
    const labels = sizes.map((_, l) => `[i${c}_${l}]`);
    const scaled = sizes.map(
      (size, l) => `[t${c}_${l}]scale=${size.width}:${size.height},setsar=1${labels[l]}`,
    );
    graph.push(
      `${branch}${chain}${sizes.length > 1 ? `,split=${sizes.length}` : ''}${sizes.map((_, l) => `[t${c}_${l}]`).join('')}`,
    );
    graph.push(...scaled);
    const sharesNames = !/\{(width|height|resolution)\}/i.test(output.fileName) && sizes.length > 1;
    let nextIndex = 1;
    sizes.forEach((size, l) => {
      const first = sharesNames ? nextIndex : 1;
      nextIndex = first + count;
      const MARK = '\u0000INDEX\u0000';
      const template = expandFileName(output.fileName, {
        basename,
        width: size.width,
        height: size.height,
        extension: `.${image.format}`,
        index: MARK,
      });
      const pattern = template.replace(/%/g, '%%').replace(MARK, '%06d');
      const codecArgs =
        image.format === 'png'
          ? ['-c:v', 'png', '-pix_fmt', 'rgb24']
          : image.format === 'bmp'
            ? ['-c:v', 'bmp', '-pix_fmt', 'bgr24']
            : [
                '-c:v',
                'mjpeg',
                '-q:v',
                String(JPEG_QSCALE(image.layers[l]!.quality)),
                '-pix_fmt',
                'yuvj420p',
              ];
      outputs.push(
        '-map',
        labels[l]!,
        ...codecArgs,
        '-r',
        '1',
        '-f',
        'image2',
        '-start_number',
        String(first),
        pathOf(pattern),
      );
      for (let k = 0; k < count; k++) {
        const name = template.replace(MARK, String(first + k).padStart(6, '0'));
        if (names.has(name)) {
          throw new EncodingError(
            encodingErrorCodes.parsingConfiguration,
            `Two thumbnails would both be named '${name}': add {Resolution} to the FileName.`,
          );
        }
        names.claim(name);
        files.push({
          name,
          kind: 'image',
          mimeType: image.format === 'jpg' ? 'image/jpeg' : `image/${image.format}`,
          hasVideo: false,
          hasAudio: false,
          width: size.width,
          height: size.height,
          imageFormat: image.format,
        });
      }
    });
  });

  // The graph goes after the inputs and before the outputs it feeds.
  if (graph.length > 0) args.push('-filter_complex', graph.join(';'));
  args.push(...outputs);
  if (schedules.some((s) => s.best) && durationSec > BEST_WINDOW_SEC && imageOnly) {
    notes.push(`{Best} thumbnails were chosen from the first ${BEST_WINDOW_SEC} seconds.`);
  }

  return {
    command: tools.ffmpeg,
    args,
    input,
    basename,
    outputDir,
    files,
    durationMs: Math.round((Number.isFinite(durationSec) ? durationSec : 0) * 1000),
    preset,
    notes,
  };
}
