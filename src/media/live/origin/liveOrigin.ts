import { stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendFile } from '../../streaming/fileReply.js';
import { IMMUTABLE_CACHE, strongEtag } from '../../streaming/servedFile.js';
import { StreamingError } from '../../streaming/types.js';
import { dashManifest } from './dashManifest.js';
import { masterPlaylist, mediaPlaylist } from './hlsPlaylists.js';
import { MIRROR_NOW, mirroredFile } from './liveMirror.js';
import type { MirroredOutput, MirrorLookup } from './liveMirror.js';
import type { LiveSource, LiveView } from './liveView.js';

/**
 * The live origin: what a URL below `<name>.ism/` asks of a channel, for the preview and for a
 * running program alike.
 *   manifest(format=m3u8-aapl|m3u8-cmaf)    HLS master playlist
 *   manifest(format=mpd-time-csf|mpd-time-cmaf)  DASH MPD
 *   live/<slot>.m3u8                         HLS media playlist (video_N, audio)
 *   live/<run>/<track>/init.mp4              init segment
 *   live/<run>/<track>/<n>.m4s | t<time>.m4s media segment, by number (HLS) or media time (DASH)
 * Paths are looked up in the channel's runs, never joined onto the file system.
 */
export type LiveTarget =
  | { kind: 'manifest'; format: 'hls' | 'dash' }
  | { kind: 'playlist'; slot: string }
  | { kind: 'init'; run: string; track: string }
  | { kind: 'segment'; run: string; track: string; number?: number; time?: number };

const FORMATS: Record<string, 'hls' | 'dash'> = {
  'm3u8-aapl': 'hls',
  'm3u8-cmaf': 'hls',
  'mpd-time-csf': 'dash',
  'mpd-time-cmaf': 'dash',
};

const notFound = (): StreamingError => new StreamingError(404, 'The requested resource does not exist.');
const TRACK = '(video_\\d{1,2}|audio)';
const PLAYLIST = new RegExp(`^live/${TRACK}\\.m3u8$`);
const FILE = new RegExp(`^live/([a-z0-9]{1,40})/${TRACK}/(init\\.mp4|\\d{1,9}\\.m4s|t\\d{1,18}\\.m4s)$`);

/** Classifies the part of the path after `<name>.ism/`; throws 400/404. */
export function parseLivePath(path: string): LiveTarget {
  const manifest = /^manifest(?:\((.*)\))?$/i.exec(path);
  if (manifest) {
    const options = manifest[1];
    if (options === undefined) {
      throw new StreamingError(
        400,
        'Live Smooth Streaming is not offered; ask for (format=m3u8-aapl) or (format=mpd-time-csf).',
      );
    }
    const match = /^\s*format\s*=\s*([a-z0-9-]+)\s*$/i.exec(options);
    const value = match?.[1]?.toLowerCase() ?? '';
    const format = FORMATS[value];
    if (!format) {
      throw new StreamingError(
        400,
        value === 'm3u8-aapl-v3'
          ? 'Live output is fragmented MP4: use (format=m3u8-aapl); MPEG-TS (m3u8-aapl-v3) is not offered.'
          : `The manifest option '${options}' is not supported; use format=${Object.keys(FORMATS).join(', ')}.`,
      );
    }
    return { kind: 'manifest', format };
  }
  const playlist = PLAYLIST.exec(path);
  if (playlist) return { kind: 'playlist', slot: playlist[1]! };
  const file = FILE.exec(path);
  if (!file) throw notFound();
  const [, run = '', track = '', name = ''] = file;
  if (name === 'init.mp4') return { kind: 'init', run, track };
  if (name.startsWith('t')) return { kind: 'segment', run, track, time: Number(name.slice(1, -4)) };
  return { kind: 'segment', run, track, number: Number(name.slice(0, -4)) };
}

/** The HTTP protocol a target belongs to (the asset delivery policy's word), or undefined for media. */
export const protocolOfTarget = (target: LiveTarget): 'hls' | 'dash' | undefined =>
  target.kind === 'manifest' ? target.format : target.kind === 'playlist' ? 'hls' : undefined;

const MANIFEST_HEADERS = { 'cache-control': 'no-cache' };

function sendManifest(
  reply: FastifyReply,
  target: Extract<LiveTarget, { kind: 'manifest' | 'playlist' }>,
  text: string | undefined,
): FastifyReply {
  if (text === undefined) {
    throw new StreamingError(404, 'The channel has no live output yet: no encoder has sent a stream.');
  }
  const type =
    target.kind === 'manifest' && target.format === 'dash'
      ? 'application/dash+xml'
      : 'application/vnd.apple.mpegurl';
  return reply.code(200).headers(MANIFEST_HEADERS).header('content-type', type).send(text);
}

export async function serveLive(
  request: FastifyRequest,
  reply: FastifyReply,
  source: LiveSource,
  view: LiveView,
  target: LiveTarget,
): Promise<FastifyReply> {
  if (target.kind === 'manifest' || target.kind === 'playlist') {
    const text =
      target.kind === 'playlist'
        ? mediaPlaylist(source, target.slot, view)
        : target.format === 'hls'
          ? masterPlaylist(source)
          : dashManifest(source, view);
    return sendManifest(reply, target, text);
  }
  const run = source.run(target.run);
  const track = run?.track(target.track);
  if (!run || !track) throw notFound();
  const contentType = track.plan.kind === 'audio' ? 'audio/mp4' : 'video/mp4';
  if (target.kind === 'init') {
    if (!track.init) throw notFound();
    const { size, mtimeMs } = await stat(track.init.path).catch(() => {
      throw notFound();
    });
    return sendFile(request, reply, {
      path: track.init.path,
      offset: 0,
      size,
      contentType,
      cacheControl: IMMUTABLE_CACHE,
      etag: strongEtag(run.id, track.plan.name, 'init', size),
      lastModified: new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString(),
    });
  }
  const segment = run.segmentOf(track, target);
  if (!segment) throw notFound();
  return sendFile(request, reply, {
    path: segment.path,
    offset: 0,
    size: segment.size,
    contentType,
    cacheControl: IMMUTABLE_CACHE,
    etag: strongEtag(run.id, track.plan.name, segment.number, segment.size),
    lastModified: new Date(Math.floor(source.epochMs / 1000 + segment.end) * 1000).toUTCString(),
  });
}

/** How often, and how long apart, a node re-reads a snapshot that does not name a segment yet. */
const MISS_RETRIES = 4;
const MISS_WAIT_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The same answers from the snapshot the lease holder published (liveMirror.ts), on a node that
 * does not run the pipeline. A player may have read a playlist from the holder that names a
 * segment newer than this node's snapshot: a file it does not name yet is looked up again in
 * newer snapshots for about a second before it is a 404.
 */
export async function serveMirrored(
  request: FastifyRequest,
  reply: FastifyReply,
  mirrored: MirroredOutput,
  reload: () => Promise<MirrorLookup | undefined>,
  target: LiveTarget,
): Promise<FastifyReply> {
  if (target.kind === 'manifest' || target.kind === 'playlist') {
    const now = new Date().toISOString();
    const text =
      target.kind === 'playlist'
        ? mirrored.playlists[target.slot]
        : target.format === 'hls'
          ? mirrored.hls
          : mirrored.dash
              ?.replace(`publishTime="${MIRROR_NOW}"`, `publishTime="${now}"`)
              .replace(`value="${MIRROR_NOW}"`, `value="${now}"`);
    return sendManifest(reply, target, text);
  }
  const wanted = { ...target, init: target.kind === 'init' };
  let file = mirroredFile(mirrored, wanted);
  for (let attempt = 0; !file && attempt < MISS_RETRIES; attempt++) {
    await sleep(MISS_WAIT_MS);
    const again = await reload();
    if (again?.kind !== 'live') break;
    file = mirroredFile(again.output, wanted);
  }
  if (!file) throw notFound();
  return sendFile(request, reply, {
    path: file.path,
    offset: 0,
    size: file.size,
    contentType: file.audio ? 'audio/mp4' : 'video/mp4',
    cacheControl: IMMUTABLE_CACHE,
    etag: file.etag,
    lastModified: new Date(file.modified * 1000).toUTCString(),
  });
}
