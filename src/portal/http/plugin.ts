import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { defaultBundleRoot, isBuilt, namesAFile, openBundleFile } from '../bundle.js';
import type { BundleFile, PortalBundle } from '../bundle.js';
import { contentTypeOf } from './contentTypes.js';
import { APP_CSP, IMMUTABLE, REVALIDATE, SECURITY_HEADERS } from './headers.js';
import { FILE_NOT_FOUND, NOT_BUILT } from './pages.js';
import type { ServerPage } from './pages.js';

export const PORTAL_PREFIX = '/portal';

export interface PortalOptions {
  /** The built app's folder; `<package>/dist/portal` unless given. */
  bundleRoot?: string;
  /**
   * A host name of the portal's own (`--portal-hostname`, as portal.azure.com is Azure's): its
   * root opens the portal. Every other path answers there as on any of Tessera's names, since
   * the portal calls the APIs on the origin it was loaded from.
   */
  hostname?: string;
}

/** The Host header of the portal's name, with or without a port. */
const hostPattern = (hostname: string): RegExp =>
  new RegExp(`^${hostname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?::\\d+)?$`, 'i');

const sendPage = (reply: FastifyReply, page: ServerPage) =>
  reply
    .status(page.status)
    .headers(SECURITY_HEADERS)
    .header('content-security-policy', page.csp)
    .header('cache-control', 'no-store')
    .header('content-type', 'text/html; charset=utf-8')
    .send(page.html);

/** A weak validator from what changes when the file is rebuilt. */
const etagOf = (file: BundleFile): string =>
  `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;

function sendFile(request: FastifyRequest, reply: FastifyReply, file: BundleFile) {
  const etag = etagOf(file);
  reply
    .headers(SECURITY_HEADERS)
    .header('content-security-policy', APP_CSP)
    .header('cache-control', file.immutable ? IMMUTABLE : REVALIDATE)
    .header('etag', etag);
  if (request.headers['if-none-match'] === etag) {
    void file.handle.close();
    return reply.status(304).send();
  }
  return reply
    .status(200)
    .header('content-type', contentTypeOf(file.path))
    .header('content-length', file.size)
    .send(file.handle.createReadStream());
}

/**
 * The portal (portal/, built by Vite into dist/portal) at `/portal`: its files as built, and
 * index.html for every other path below it, which the app routes itself. Files are looked up per
 * request, so a build made while the server runs is served at once, and a server started before
 * any build answers a page that says how to make one. Nothing here reads the store: the app signs
 * in through the authority and calls the public APIs like any other client.
 */
export async function portalPlugin(app: FastifyInstance, options: PortalOptions = {}): Promise<void> {
  const bundle: PortalBundle = { root: path.resolve(options.bundleRoot ?? defaultBundleRoot()) };

  async function serve(request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) {
    const relative = request.params['*'] ?? '';
    const file = await openBundleFile(bundle, relative === '' ? 'index.html' : relative);
    if (file) return sendFile(request, reply, file);
    if (!isBuilt(bundle)) return sendPage(reply, NOT_BUILT);
    // A missing file stays missing: index.html in its place would be parsed as a script.
    if (namesAFile(relative)) return sendPage(reply, FILE_NOT_FOUND);
    const index = await openBundleFile(bundle, 'index.html');
    return index ? sendFile(request, reply, index) : sendPage(reply, NOT_BUILT);
  }

  // The redirect URI and every link end in a slash; `/portal` alone is a typed address.
  app.get(PORTAL_PREFIX, (_request, reply) => reply.redirect(`${PORTAL_PREFIX}/`, 301));
  if (options.hostname) {
    // 302, not 301: browsers would keep a permanent answer after the option is dropped.
    app.get('/', { constraints: { host: hostPattern(options.hostname) } }, (_request, reply) =>
      reply.redirect(`${PORTAL_PREFIX}/`, 302),
    );
  }
  app.get(`${PORTAL_PREFIX}/*`, serve);
}
