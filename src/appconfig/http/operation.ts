import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PublicOrigins } from '../../server/origins.js';
import type { Caller } from '../authentication/caller.js';
import type { DataAction } from '../authorization.js';
import type { ConfigurationData } from '../configurationData.js';
import type { DataPlaneStore } from '../stores.js';
import type { ApiVersion } from './apiVersions.js';
import type { QueryParameters } from './query.js';

/** What is known about a request once it is authenticated, before its operation is chosen. */
export interface RequestContext {
  store: DataPlaneStore;
  /** The database stamp read for this request: what cached reads are checked against. */
  stamp: string;
  caller: Caller;
  query: QueryParameters;
  /** The path below the store, still percent-encoded: `/kv/a%2Fb`. */
  resourcePath: string;
  /** The store as the path named it (path-style), for links back to the endpoint. */
  storeSegment: string;
}

export interface OperationContext extends RequestContext {
  request: FastifyRequest;
  reply: FastifyReply;
  apiVersion: ApiVersion;
  data: ConfigurationData;
  origins: PublicOrigins;
}

/** One data-plane operation: what it needs (RBAC data actions, api-version) and what it does. */
export interface Operation {
  actions: readonly DataAction[];
  /** The oldest api-version that has the operation. */
  since?: ApiVersion;
  /** The most request body the operation reads, in bytes (413 beyond); the plane's limit when absent. */
  bodyLimit?: number;
  run(context: OperationContext): Promise<FastifyReply>;
}

/** A route picks its operation from the request (GET /kv with `snapshot=` reads a snapshot). */
export type OperationFor = (context: RequestContext) => Operation;
