import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StreamingAsset } from '../../streaming/types.js';
import { StreamingError } from '../../streaming/types.js';
import type { LiveOutput } from '../livePipeline.js';
import { parseLivePath, protocolOfTarget, serveLive } from './liveOrigin.js';

/**
 * The HTTP side the two live origins share: CORS as the on-demand origin sends it, the
 * `<name>.ism/` prefix, and the delivery policy of a program's asset.
 */

export const LIVE_CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified',
};

const PROTOCOL_NAMES = { hls: 'HLS', dash: 'MPEG-DASH' } as const;

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
  const slash = path.indexOf('/');
  const ism = slash < 0 ? path : path.slice(0, slash);
  if (!/\.ism$/i.test(ism) || slash < 0) {
    throw new StreamingError(
      404,
      'The asset is being recorded by a running program: it streams live as <name>.ism/manifest(format=m3u8-aapl) or (format=mpd-time-csf).',
    );
  }
  const name = ism.slice(0, -'.ism'.length);
  if (output.manifestName !== null && name.toLowerCase() !== output.manifestName.toLowerCase()) {
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
  return serveLive(request, reply, output.source, output.view, target);
}

/**
 * The streaming endpoint's hook (src/media/streaming/plugin.ts, option `live`): an asset that a
 * running program records is served from the live origin; any other asset is left to dynamic
 * packaging (undefined).
 */
export function liveAssetHook(live: {
  liveAsset(account: string, assetGuid: string): LiveOutput | undefined;
}) {
  return {
    serve(
      request: FastifyRequest,
      reply: FastifyReply,
      account: string,
      asset: StreamingAsset,
      path: string,
    ): Promise<FastifyReply> | undefined {
      const output = live.liveAsset(account, asset.assetKey);
      return output ? serveLiveOutput(request, reply, output, path, asset.protocols) : undefined;
    },
  };
}
