import { open, readFile } from 'node:fs/promises';
import type { FfmpegTools } from '../encoding/ffmpegBinary.js';
import type { ServerManifest } from '../encoding/serverManifest.js';
import { parseServerManifest } from '../encoding/serverManifest.js';
import { Mp4FormatError, readBox, topLevelBoxes } from './mp4Boxes.js';
import { ffmpegInput, runTool } from './runTool.js';
import type { TrackConfig } from './trackConfig.js';
import { codecString, readTracks } from './trackConfig.js';
import type { StreamingAsset, StreamingFile } from './types.js';
import { StreamingError } from './types.js';

/**
 * What one presentation streams: the video renditions (highest bitrate first) and the audio,
 * each a track of one of the asset's MP4s. A presentation is an `.ism` server manifest of the
 * asset, or, when the asset has none, every MP4 in it.
 */
export interface SourceTrack {
  kind: 'video' | 'audio';
  file: StreamingFile;
  /** Which track of its kind in the file (ffmpeg's `-map 0:v:N` / `0:a:N`). */
  ordinal: number;
  config: TrackConfig;
  codec: string;
  /** Average bits per second. */
  bitrate: number;
  duration: number;
  width?: number;
  height?: number;
  frameRate?: number;
  channels?: number;
  sampleRate?: number;
  language?: string;
  name?: string;
}

export interface Presentation {
  videos: SourceTrack[];
  audio?: SourceTrack;
  /** Seconds: the longest track. */
  duration: number;
}

/** Which presentation a URL's `<name>.ism` names: an `.ism` file, or (none in the asset) all MP4s. */
export interface PresentationSource {
  /** The `.ism` file's name, or `''` for "every MP4 of the asset". */
  key: string;
  manifest?: StreamingFile;
}

const MP4_NAME = /\.(mp4|m4v|m4a)$/i;
const MAX_MOOV_BYTES = 64 * 1024 * 1024;

/** The presentation `<name>.ism` refers to in this asset, or undefined (404). */
export function findPresentationSource(
  asset: StreamingAsset,
  ismName: string,
): PresentationSource | undefined {
  const manifests = asset.files.filter((file) => /\.ism$/i.test(file.name));
  if (manifests.length === 0) return { key: '' };
  const manifest =
    manifests.find((file) => file.name === ismName) ??
    manifests.find((file) => file.name.toLowerCase() === ismName.toLowerCase());
  return manifest ? { key: manifest.name, manifest } : undefined;
}

interface ProbedStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  bit_rate?: string;
  avg_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  tags?: { language?: string };
}

interface ProbedFile {
  file: StreamingFile;
  streams: ProbedStream[];
  duration: number;
  tracks: TrackConfig[];
}

async function probe(tools: FfmpegTools, file: StreamingFile): Promise<ProbedFile> {
  let json: { streams?: ProbedStream[]; format?: { format_name?: string; duration?: string } };
  try {
    const out = await runTool(tools.ffprobe, [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type,codec_name,width,height,bit_rate,avg_frame_rate,sample_rate,channels,duration:stream_tags=language:format=format_name,duration',
      '-of',
      'json',
      ffmpegInput(file.path),
    ]);
    json = JSON.parse(out) as typeof json;
  } catch {
    throw new StreamingError(400, `The asset file ${file.name} is not a readable MP4.`);
  }
  if (!json.format?.format_name?.split(',').includes('mp4')) {
    throw new StreamingError(400, `The asset file ${file.name} is not an MP4.`);
  }
  let tracks: TrackConfig[];
  try {
    tracks = await readMoovTracks(file.path);
  } catch (error) {
    const reason = error instanceof Mp4FormatError ? `: ${error.message}` : '';
    throw new StreamingError(400, `The asset file ${file.name} has an unreadable MP4 header${reason}.`);
  }
  return { file, streams: json.streams ?? [], duration: Number(json.format.duration ?? 0), tracks };
}

async function readMoovTracks(path: string): Promise<TrackConfig[]> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const moov = (await topLevelBoxes(handle, size)).find((box) => box.type === 'moov');
    if (!moov) throw new Mp4FormatError('no moov box');
    return readTracks(await readBox(handle, moov, MAX_MOOV_BYTES));
  } finally {
    await handle.close();
  }
}

function frameRate(text: string | undefined): number | undefined {
  const [num, den] = (text ?? '').split('/').map(Number);
  return num && den ? num / den : undefined;
}

/**
 * A track of `kind` in a probed file: the one with MP4 track ID `trackId` when the server
 * manifest names one, else the first; checked against what dynamic packaging supports.
 */
function sourceTrack(probed: ProbedFile, kind: 'video' | 'audio', trackId?: number): SourceTrack | undefined {
  const configs = probed.tracks.filter((t) => t.handler === (kind === 'video' ? 'vide' : 'soun'));
  const ordinal = trackId === undefined ? 0 : configs.findIndex((t) => t.trackId === trackId);
  if (ordinal < 0) {
    throw new StreamingError(400, `${probed.file.name} has no ${kind} track with ID ${trackId}.`);
  }
  const stream = probed.streams.filter((s) => s.codec_type === kind)[ordinal];
  const config = configs[ordinal];
  if (!stream) return undefined;
  const expected = kind === 'video' ? 'h264' : 'aac';
  if (stream.codec_name !== expected || !config || !(kind === 'video' ? config.avc : config.aac)) {
    throw new StreamingError(
      400,
      `Dynamic packaging streams H.264 video and AAC audio; ${probed.file.name} holds ${kind} in ${stream.codec_name ?? 'an unknown codec'}.`,
    );
  }
  const duration = Number(stream.duration ?? probed.duration) || probed.duration;
  const bitrate = Number(stream.bit_rate) || Math.round((probed.file.size * 8) / Math.max(duration, 0.001));
  const track: SourceTrack = {
    kind,
    file: probed.file,
    ordinal,
    config,
    codec: codecString(config),
    bitrate,
    duration,
  };
  if (kind === 'video') {
    if (stream.width) track.width = stream.width;
    if (stream.height) track.height = stream.height;
    const rate = frameRate(stream.avg_frame_rate);
    if (rate) track.frameRate = rate;
  } else {
    if (stream.channels) track.channels = stream.channels;
    if (stream.sample_rate) track.sampleRate = Number(stream.sample_rate);
  }
  const language = stream.tags?.language;
  if (language && language !== 'und') track.language = language;
  return track;
}

/** Reads the `.ism` (or lists the MP4s), probes the files and picks the tracks. */
export async function loadPresentation(
  asset: StreamingAsset,
  source: PresentationSource,
  tools: FfmpegTools,
): Promise<Presentation> {
  const probes = new Map<string, Promise<ProbedFile>>();
  const probeOnce = (file: StreamingFile): Promise<ProbedFile> => {
    let probed = probes.get(file.name);
    if (!probed) probes.set(file.name, (probed = probe(tools, file)));
    return probed;
  };
  const videos: SourceTrack[] = [];
  let audio: SourceTrack | undefined;

  if (source.manifest) {
    const manifestName = source.manifest.name;
    let manifest: ServerManifest;
    try {
      manifest = parseServerManifest(await readFile(source.manifest.path, 'utf8'));
    } catch (error) {
      throw new StreamingError(
        400,
        `The server manifest ${manifestName} cannot be read: ${(error as Error).message}`,
      );
    }
    const entries = [
      ...manifest.video.map((entry) => ({ ...entry, kind: 'video' as const, language: undefined })),
      // One audio track is packaged: the first the manifest lists.
      ...manifest.audio.slice(0, 1).map((entry) => ({ ...entry, kind: 'audio' as const })),
    ];
    const seen = new Set<string>();
    for (const entry of entries) {
      const file = asset.files.find((f) => f.name === entry.src);
      if (!file) {
        throw new StreamingError(
          404,
          `The server manifest ${manifestName} names ${entry.src}, which the asset does not hold.`,
        );
      }
      const track = sourceTrack(await probeOnce(file), entry.kind, entry.trackId);
      if (!track) {
        throw new StreamingError(
          400,
          `${entry.src}, listed as ${entry.kind} in ${manifestName}, has no ${entry.kind} track.`,
        );
      }
      if (entry.language && entry.language !== 'und') track.language = entry.language;
      if (entry.trackName) track.name = entry.trackName;
      if (entry.kind === 'audio') audio = track;
      else if (!seen.has(`${file.name}\0${track.ordinal}`)) {
        seen.add(`${file.name}\0${track.ordinal}`);
        videos.push(track);
      }
    }
  } else {
    const probed: ProbedFile[] = [];
    for (const file of asset.files.filter((f) => MP4_NAME.test(f.name))) probed.push(await probeOnce(file));
    for (const p of probed) {
      const video = sourceTrack(p, 'video');
      if (video) videos.push(video);
    }
    const audioOnly = probed.find(
      (p) => !p.streams.some((s) => s.codec_type === 'video') && sourceTrack(p, 'audio'),
    );
    const withAudio = audioOnly ?? probed.find((p) => p.streams.some((s) => s.codec_type === 'audio'));
    if (withAudio) audio = sourceTrack(withAudio, 'audio');
  }

  if (videos.length === 0 && !audio) {
    throw new StreamingError(
      404,
      source.manifest
        ? `The server manifest ${source.manifest.name} lists no video or audio to stream.`
        : 'The asset holds no MP4 with H.264 video or AAC audio to stream.',
    );
  }
  videos.sort((a, b) => b.bitrate - a.bitrate);
  const duration = Math.max(...videos.map((v) => v.duration), audio?.duration ?? 0);
  return audio ? { videos, audio, duration } : { videos, duration };
}
