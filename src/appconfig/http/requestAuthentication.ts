import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Authenticator } from '../authentication/chain.js';
import { authenticate } from '../authentication/chain.js';
import type { ConfigurationData } from '../configurationData.js';
import { appConfigErrors } from '../errors.js';
import type { DataPlaneStore, DataPlaneStores } from '../stores.js';
import { corsHeaders } from './cors.js';
import { PATH_PREFIX } from './hostStyle.js';
import type { RequestContext } from './operation.js';
import { QueryParameters } from './query.js';
import { setRequestIds } from './requestIds.js';
import { syncToken } from './syncToken.js';

/** What the data plane knows of a request: its store from the start, the rest once authenticated. */
export interface AppConfigRequestState {
  store: DataPlaneStore;
  /** The database stamp the request is served under (what cached reads are checked against). */
  stamp: string;
  context: RequestContext | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the App Configuration data plane on its own requests. */
    appConfig: AppConfigRequestState | null;
  }
}

/** Runs `next` on a value now, or once its promise settles: the hot path stays synchronous. */
const step = <T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> =>
  value instanceof Promise ? value.then(next) : next(value);

/**
 * The data plane's onRequest hook: the store the request addresses, its Sync-Token, and the
 * caller (HMAC, then bearer). It runs before the body is read, so an anonymous caller learns
 * nothing else. Every piece usually comes from memory (the database stamp, the store, the
 * counter, a token already checked), so the hook completes without a promise in the common case:
 * this is the cost every request pays.
 */
export function requestAuthentication(services: {
  data: ConfigurationData;
  stores: DataPlaneStores;
  chain: readonly Authenticator[];
}): onRequestHookHandler {
  const { data, stores, chain } = services;
  const sequences = data.keyValues.sequences;

  function prepare(request: FastifyRequest, reply: FastifyReply): void | Promise<void> {
    // CORS headers are for browsers (which send Origin): the SDKs would only carry 700 bytes more.
    if (request.headers.origin !== undefined) reply.headers(corsHeaders);
    setRequestIds(request, reply);
    if (request.method === 'OPTIONS') return;
    const { store: storeSegment = '' } = request.params as { store?: string };
    // While nothing changed, the store, its counter and recently read key-values come from
    // memory (the stamp says so; it asks the database at most ten times a second).
    return step(data.stamp.peek() ?? data.stamp.read(), (stamp) => {
      const storesStamp = data.stamp.database;
      const known = stores.peek(storeSegment, storesStamp); // null: known not to exist
      return step(known === undefined ? stores.find(storeSegment, storesStamp) : known, (store) => {
        if (!store) throw appConfigErrors.notFound();
        const state: AppConfigRequestState = { store, stamp, context: null };
        request.appConfig = state;
        const sequence = sequences.peek(store.nameLower, stamp) ?? sequences.current(store.nameLower, stamp);
        return step(sequence, (seq) => {
          // On every response, errors included; a write's response replaces it with its own.
          reply.header('sync-token', syncToken(store, seq));
          const caller = authenticate(chain, {
            method: request.method,
            target: request.originalUrl,
            headers: request.headers,
            store,
          });
          return step(caller, (authenticated) => {
            const url = request.url;
            const queryAt = url.indexOf('?');
            const path = queryAt < 0 ? url : url.slice(0, queryAt);
            state.context = {
              store,
              stamp,
              caller: authenticated,
              query: QueryParameters.fromUrl(url),
              resourcePath: path.slice(PATH_PREFIX.length + 1 + storeSegment.length),
              storeSegment,
            };
          });
        });
      });
    });
  }

  return function authenticateRequest(request, reply, done) {
    let pending: void | Promise<void>;
    try {
      pending = prepare(request, reply);
    } catch (error) {
      return done(error as Error);
    }
    if (pending === undefined) return done();
    pending.then(() => done(), done);
  };
}
