import type { FastifyInstance, FastifyReply } from 'fastify';
import { StreamingError } from '../../streaming/types.js';
import type { AddressCheck } from '../ipAllowList.js';
import { compileAllowList } from '../ipAllowList.js';
import type { LiveOutput } from '../livePipeline.js';
import { LIVE_CORS_HEADERS, serveLiveOutput, serveMirroredOutput } from './liveHttp.js';
import type { LiveMirror, MirroredOutput } from './liveMirror.js';

/**
 * A channel's preview, below the prefix the server registers it at (`/media/:account/preview`):
 * `/<channel guid>/preview.ism/manifest(format=m3u8-aapl|mpd-time-csf)` and what those manifests
 * name. Only a running channel has one, and only addresses in its `Preview.AccessControl.IP`
 * allow list may watch it (403 otherwise, before anything is read). The node that runs the
 * pipeline serves it from memory; any other node from the snapshot that node publishes.
 */
export interface LivePreviewOptions {
  live: {
    preview(account: string, channelGuid: string): (LiveOutput & { allowed: AddressCheck }) | undefined;
  };
  mirror?: Pick<LiveMirror, 'lookup'>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function livePreviewPlugin(app: FastifyInstance, opts: LivePreviewOptions): Promise<void> {
  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof StreamingError) return sendError(reply, error.status, error.message);
    request.log.error({ err: error }, 'live preview: request failed');
    return sendError(reply, 500, 'The preview request failed.');
  });
  app.setNotFoundHandler((_request, reply) =>
    sendError(reply, 404, 'The requested resource does not exist.'),
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: '/:channel/preview.ism/*',
    handler: async (request, reply) => {
      const params = request.params as { account?: string; channel?: string; '*'?: string };
      const channel = params.channel ?? '';
      const account = params.account ?? '';
      const path = `preview.ism/${params['*'] ?? ''}`;
      if (!GUID.test(channel)) throw notRunning();
      const preview = opts.live.preview(account, channel);
      if (preview) {
        if (!preview.allowed(request.ip)) throw refused();
        return serveLiveOutput(request, reply, preview, path);
      }
      const key = { kind: 'preview', account, guid: channel } as const;
      const mirrored = await opts.mirror?.lookup(key);
      if (!mirrored) throw notRunning();
      if (mirrored.kind === 'live' && !allowedBy(mirrored.output)(request.ip)) {
        throw refused();
      }
      const reload = () => opts.mirror!.lookup(key, true);
      return serveMirroredOutput(request, reply, mirrored, reload, path);
    },
  });

  app.options('/:channel/preview.ism/*', async (request, reply) =>
    reply
      .code(204)
      .headers(LIVE_CORS_HEADERS)
      .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
      .header(
        'access-control-allow-headers',
        request.headers['access-control-request-headers'] ?? 'Range, If-None-Match, If-Modified-Since',
      )
      .header('access-control-max-age', '86400')
      .send(),
  );
}

/** A snapshot's allow list, compiled once per snapshot read (a player asks many times a snapshot). */
const compiled = new WeakMap<MirroredOutput, AddressCheck>();
function allowedBy(output: MirroredOutput): AddressCheck {
  let check = compiled.get(output);
  if (!check) compiled.set(output, (check = compileAllowList(output.previewAllow ?? null)));
  return check;
}

const notRunning = () => new StreamingError(404, 'The channel does not exist or is not running.');
const refused = () => new StreamingError(403, "The channel's preview is not allowed from this address.");

function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .headers(LIVE_CORS_HEADERS)
    .header('cache-control', 'no-store')
    .header('content-type', 'text/plain; charset=utf-8')
    .send(message);
}
