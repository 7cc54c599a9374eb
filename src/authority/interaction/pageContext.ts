import type { FastifyReply, FastifyRequest } from 'fastify';
import { nowSeconds } from '../../clock.js';
import type { Tenant } from '../../directory/model.js';
import type { AuthorityServices } from '../context.js';
import type { PageTenant } from '../pages/layout.js';
import { newNonce, sendPage } from '../pages/respond.js';
import type { PageSecurity } from '../pages/respond.js';

/** What every sign-in page handler works with. */
export interface PageContext {
  services: AuthorityServices;
  request: FastifyRequest;
  reply: FastifyReply;
  origin: string;
  /** The client-request-id or a fresh GUID, as the authority's hook set it. */
  correlationId: string;
  now: number;
}

export function pageContext(
  services: AuthorityServices,
  request: FastifyRequest,
  reply: FastifyReply,
): PageContext {
  return {
    services,
    request,
    reply,
    origin: services.origins.fromHost(request.headers.host),
    correlationId: (request as FastifyRequest & { correlationId?: string }).correlationId ?? request.id,
    now: nowSeconds(),
  };
}

export const tenantView = (tenant: Tenant | undefined): PageTenant | undefined =>
  tenant && { displayName: tenant.displayName, domain: tenant.domain };

/** Renders a page with a fresh nonce and sends it with the pages' security headers. */
export function show(
  ctx: PageContext,
  render: (nonce: string) => string,
  options: PageSecurity & { status?: number } = {},
): FastifyReply {
  const nonce = newNonce();
  return sendPage(ctx.reply, options.status ?? 200, nonce, render(nonce), options);
}
