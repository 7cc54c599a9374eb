import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FfmpegTools } from '../encoding/ffmpegBinary.js';
import { sendFile } from './fileReply.js';
import type { Package } from './packageStore.js';
import { PackageStore, packageTag } from './packageStore.js';
import { findPresentationSource } from './presentation.js';
import type { RequestTarget } from './requestPath.js';
import { parseRequestPath } from './requestPath.js';
import type { ServedFile } from './servedFile.js';
import { PROGRESSIVE_CACHE, contentTypeOf, strongEtag } from './servedFile.js';
import type { LocatorResolver, PackageFormat, StreamingAsset } from './types.js';
import { StreamingError, protocolOf } from './types.js';

export interface StreamingPluginOptions {
  resolver: LocatorResolver;
  /** Where packages are kept: `<cacheDir>/<assetKey>/<version>/<format>/<presentation>/`. */
  cacheDir: string;
  tools: () => Promise<FfmpegTools>;
  /** Assets a running live program records stream from the live origin (src/media/live); undefined: not live. */
  live?: {
    serve(
      request: FastifyRequest,
      reply: FastifyReply,
      account: string,
      asset: StreamingAsset,
      path: string,
    ): Promise<FastifyReply> | undefined;
  };
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified',
};

/**
 * The streaming endpoint's origin: `GET|HEAD /:locator/*` below the prefix the server registers
 * it at (`/media/:account/streaming`). Resolves the locator, checks the asset's delivery policy,
 * then serves an asset file (progressive download) or a packaged manifest / segment, packaging
 * on first use.
 */
export async function streamingPlugin(app: FastifyInstance, opts: StreamingPluginOptions): Promise<void> {
  const store = new PackageStore({ cacheDir: opts.cacheDir, tools: opts.tools, log: app.log });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof StreamingError) return sendError(reply, error.status, error.message);
    request.log.error({ err: error }, 'streaming: request failed');
    return sendError(reply, 500, 'The streaming request failed.');
  });
  app.setNotFoundHandler((_request, reply) =>
    sendError(reply, 404, 'The requested resource does not exist.'),
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: '/:locator/*',
    handler: async (request, reply) => {
      const params = request.params as { account?: string; locator?: string; '*'?: string };
      const resolution = await opts.resolver.resolve(params.account ?? '', params.locator ?? '');
      if (resolution.kind === 'notFound')
        throw new StreamingError(404, 'The locator does not exist or is not active.');
      if (resolution.kind === 'forbidden') throw new StreamingError(403, resolution.reason);
      const { asset } = resolution;
      const live = opts.live?.serve(request, reply, params.account ?? '', asset, params['*'] ?? '');
      if (live) return live;
      const target = parseRequestPath(params['*'] ?? '');
      reply.headers(CORS_HEADERS);
      if (target.kind === 'file') return sendAssetFile(request, reply, asset, target.name);
      return sendPackaged(request, reply, asset, target);
    },
  });

  app.options('/:locator/*', async (request, reply) => {
    const requested = request.headers['access-control-request-headers'];
    return reply
      .code(204)
      .headers(CORS_HEADERS)
      .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
      .header(
        'access-control-allow-headers',
        requested ?? 'Range, If-None-Match, If-Modified-Since, If-Range',
      )
      .header('access-control-max-age', '86400')
      .send();
  });

  function assertProtocol(asset: StreamingAsset, format: PackageFormat | 'progressive'): void {
    const protocol = format === 'progressive' ? format : protocolOf(format);
    if (!asset.protocols[protocol]) {
      const names = {
        hls: 'HLS',
        dash: 'MPEG-DASH',
        smooth: 'Smooth Streaming',
        progressive: 'Progressive download',
      };
      throw new StreamingError(403, `${names[protocol]} is not allowed by the asset's delivery policy.`);
    }
  }

  async function sendPackaged(
    request: FastifyRequest,
    reply: FastifyReply,
    asset: StreamingAsset,
    target: Exclude<RequestTarget, { kind: 'file' }>,
  ): Promise<FastifyReply> {
    const format: PackageFormat = target.kind === 'fragment' ? 'smooth' : target.format;
    assertProtocol(asset, format);
    const source = findPresentationSource(asset, target.ism);
    if (!source) throw new StreamingError(404, `The asset has no server manifest named ${target.ism}.`);
    // A sub-resource of another asset version (or a made-up tag) never triggers packaging.
    if (target.kind !== 'manifest' && target.tag !== packageTag(asset, source)) {
      throw new StreamingError(404, 'The requested resource does not exist (the asset may have changed).');
    }
    const pkg: Package = await store.get(asset, source, format);
    let file: ServedFile | undefined;
    if (target.kind === 'manifest') file = pkg.manifest;
    else if (target.kind === 'resource') file = pkg.files.get(target.path);
    else file = pkg.fragments.get(target.key);
    if (!file) throw new StreamingError(404, 'The requested resource does not exist.');
    return sendFile(request, reply, file);
  }

  async function sendAssetFile(
    request: FastifyRequest,
    reply: FastifyReply,
    asset: StreamingAsset,
    name: string,
  ): Promise<FastifyReply> {
    const file = asset.files.find((f) => f.name === name);
    if (!file) throw new StreamingError(404, `The asset has no file named ${name}.`);
    assertProtocol(asset, 'progressive');
    // The resolver's listing knows the content's size and time (its path names one version of
    // the content, never rewritten): no stat per request. A resolver that does not know them is
    // asked the file system.
    let size = file.size;
    let mtimeMs = file.lastModified;
    if (mtimeMs === undefined) {
      try {
        ({ size, mtimeMs } = await stat(file.path));
      } catch {
        throw new StreamingError(404, `The asset has no file named ${name}.`);
      }
    }
    const lastModified = new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString();
    return sendFile(request, reply, {
      path: file.path,
      offset: 0,
      size,
      contentType: contentTypeOf(name),
      cacheControl: PROGRESSIVE_CACHE,
      etag: strongEtag(asset.version, name, size, mtimeMs),
      lastModified,
    });
  }
}

function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .headers(CORS_HEADERS)
    .header('cache-control', 'no-store')
    .header('content-type', 'text/plain; charset=utf-8')
    .send(message);
}
