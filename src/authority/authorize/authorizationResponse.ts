import type { FastifyReply } from 'fastify';
import { serializeAadstsError } from '../errors.js';
import type { AadstsError } from '../errors.js';
import type { PageContext } from '../interaction/pageContext.js';
import { show } from '../interaction/pageContext.js';
import { formPostPage } from '../pages/formPostPage.js';
import { sendRedirect } from '../pages/respond.js';
import { formActionSource } from './redirectUri.js';
import type { ResponseTarget } from './authorizationRequest.js';

/**
 * Sends the authorization response (RFC 6749 §4.1.2) to the client's redirect URI, already
 * checked against its registration: in the query, in the fragment, or as an auto-submitted form
 * (form_post).
 * `state` is echoed as sent.
 */
export function respondToClient(
  ctx: PageContext,
  target: ResponseTarget,
  fields: Record<string, string>,
  appName: string,
): FastifyReply {
  const all = { ...fields, ...(target.state !== null && { state: target.state }) };
  if (target.responseMode === 'form_post') {
    return show(
      ctx,
      (nonce) => formPostPage({ redirectUri: target.redirectUri, fields: all, appName }, nonce),
      {
        formActions: [formActionSource(target.redirectUri)],
        script: true,
      },
    );
  }
  const url = new URL(target.redirectUri);
  if (target.responseMode === 'fragment') url.hash = new URLSearchParams(all).toString();
  else for (const [name, value] of Object.entries(all)) url.searchParams.append(name, value);
  return sendRedirect(ctx.reply, url.href);
}

/** An error for the client (RFC 6749 §4.1.2.1), in Entra's words, with its trace details. */
export function errorFields(ctx: PageContext, err: AadstsError): Record<string, string> {
  const body = serializeAadstsError(err, {
    traceId: ctx.request.id,
    correlationId: ctx.correlationId,
    now: new Date(ctx.now * 1000),
  });
  const fields: Record<string, string> = {};
  for (const name of ['error', 'error_description', 'error_uri', 'suberror', 'correlation_id', 'trace_id']) {
    const value = body[name];
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}
