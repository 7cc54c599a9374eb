import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LocatorResolver, Resolution, StreamingAsset } from '../../streaming/types.js';
import { StreamingError } from '../../streaming/types.js';
import type { LiveOutput } from '../livePipeline.js';
import type { LiveMirror, MirrorLookup } from './liveMirror.js';
import type { LiveTarget } from './liveOrigin.js';
import { parseLivePath, protocolOfTarget, serveLive, serveMirrored } from './liveOrigin.js';

/**
 * The HTTP side the two live origins share: CORS as the on-demand origin sends it, the
 * `<name>.ism/` prefix, and the delivery policy of a program's asset.
 */

export const LIVE_CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified',
};

const PROTOCOL_NAMES = { hls: 'HLS', dash: 'MPEG-DASH' } as const;

/** Where a path below `<name>.ism/` leads in a live output; throws 404/403 as the on-demand origin does. */
function liveTarget(
  path: string,
  manifestName: string | null,
  protocols?: StreamingAsset['protocols'],
): LiveTarget {
  const slash = path.indexOf('/');
  const ism = slash < 0 ? path : path.slice(0, slash);
  if (!/\.ism$/i.test(ism) || slash < 0) {
    throw new StreamingError(
      404,
      'The asset is being recorded by a running program: it streams live as <name>.ism/manifest(format=m3u8-aapl) or (format=mpd-time-csf).',
    );
  }
  const name = ism.slice(0, -'.ism'.length);
  if (manifestName !== null && name.toLowerCase() !== manifestName.toLowerCase()) {
    throw new StreamingError(404, `The live output has no server manifest named ${ism}.`);
  }
  const target = parseLivePath(path.slice(slash + 1));
  const protocol = protocolOfTarget(target);
  if (protocols && protocol && !protocols[protocol]) {
    throw new StreamingError(
      403,
      `${PROTOCOL_NAMES[protocol]} is not allowed by the asset's delivery policy.`,
    );
  }
  return target;
}

/**
 * Serves `path` (`<name>.ism/<rest>`) from a live output. `protocols`: the asset's delivery
 * policy, for a program's asset; none for the preview.
 */
export async function serveLiveOutput(
  request: FastifyRequest,
  reply: FastifyReply,
  output: LiveOutput,
  path: string,
  protocols?: StreamingAsset['protocols'],
): Promise<FastifyReply> {
  reply.headers(LIVE_CORS_HEADERS);
  const target = liveTarget(path, output.manifestName, protocols);
  return serveLive(request, reply, output.source, output.view, target);
}

/**
 * Serves `path` from what the lease holder published (a node that does not run the pipeline).
 * A stale snapshot means the holder stopped publishing — it died, and another node is taking the
 * pipeline over: 503 with Retry-After, which players retry, rather than a 404 they give up on.
 */
export async function serveMirroredOutput(
  request: FastifyRequest,
  reply: FastifyReply,
  found: MirrorLookup,
  reload: () => Promise<MirrorLookup | undefined>,
  path: string,
  protocols?: StreamingAsset['protocols'],
): Promise<FastifyReply> {
  reply.headers(LIVE_CORS_HEADERS);
  if (found.kind === 'stale') throw pipelineMoving(reply);
  const target = liveTarget(path, found.output.manifestName, protocols);
  return serveMirrored(request, reply, found.output, reload, target);
}

/** Seconds a player is told to wait while the live pipeline moves to another node. */
const RETRY_AFTER_SECONDS = 2;

function pipelineMoving(reply: FastifyReply): StreamingError {
  reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return new StreamingError(
    503,
    'The live pipeline is moving to another node (the one that ran it stopped); try again in a few seconds.',
  );
}

/** An asset the on-demand origin resolved, with the live output another node's pipeline publishes for it. */
type MirroredAsset = StreamingAsset & { mirrored?: MirrorLookup };

/**
 * The streaming endpoint's resolver, on every node: an asset with no files yet (the only kind a
 * running program records into: its files are written at Stop) is looked up among the outputs
 * the lease holder publishes, so that the live hook can serve it on this node too.
 */
export function mirroredResolver(
  resolver: LocatorResolver,
  mirror: Pick<LiveMirror, 'lookup'>,
): LocatorResolver {
  return {
    async resolve(account: string, locatorGuid: string): Promise<Resolution> {
      const resolution = await resolver.resolve(account, locatorGuid);
      if (resolution.kind !== 'ok' || resolution.asset.files.length > 0) return resolution;
      const found = await mirror.lookup({ kind: 'asset', account, guid: resolution.asset.assetKey });
      if (!found) return resolution;
      const asset: MirroredAsset = { ...resolution.asset, mirrored: found };
      return { kind: 'ok', asset };
    },
  };
}

/**
 * The streaming endpoint's hook (src/media/streaming/plugin.ts, option `live`): an asset that a
 * running program records is served from the live origin — from memory on the node that runs
 * the pipeline, from the holder's snapshot (found by mirroredResolver) on the others; any other
 * asset is left to dynamic packaging (undefined).
 */
export function liveAssetHook(
  live: { liveAsset(account: string, assetGuid: string): LiveOutput | undefined },
  mirror?: Pick<LiveMirror, 'lookup'>,
) {
  return {
    serve(
      request: FastifyRequest,
      reply: FastifyReply,
      account: string,
      asset: StreamingAsset,
      path: string,
    ): Promise<FastifyReply> | undefined {
      const output = live.liveAsset(account, asset.assetKey);
      if (output) return serveLiveOutput(request, reply, output, path, asset.protocols);
      const mirrored = (asset as MirroredAsset).mirrored;
      if (!mirrored || !mirror) return undefined;
      const reload = () => mirror.lookup({ kind: 'asset', account, guid: asset.assetKey }, true);
      return serveMirroredOutput(request, reply, mirrored, reload, path, asset.protocols);
    },
  };
}
