import type { IncomingHttpHeaders } from 'node:http';
import type { Tenant } from '../../directory/model.js';
import type { AuthorizedCaller, GraphPermission } from '../authorization.js';
import type { GraphDirectory } from '../directoryPort.js';
import type { GraphSignInLog } from '../signInLogPort.js';
import type { Json } from '../odata/evaluate.js';
import type { PathKey } from './resourcePath.js';

/** What one Graph operation is given: who calls, in which tenant, with which path keys and query. */
export interface GraphContext {
  caller: AuthorizedCaller;
  tenant: Tenant;
  params: Readonly<Record<string, PathKey>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** `https://<host>/v1.0`: the base of next links and `@odata.context`. */
  base: string;
  /** The resource path as requested, after `/v1.0/` (next links repeat it). */
  path: string;
  directory: GraphDirectory;
  signInLog: GraphSignInLog;
  /** The request body as a JSON object; Graph's 400 when it is not one. */
  body(): Json;
}

export interface GraphReply {
  status: number;
  /** A JSON body; none for 204. */
  body?: Json;
  /** A text body (`/$count`). */
  text?: string;
  headers?: Record<string, string>;
}

export type GraphOperation = (context: GraphContext) => Promise<GraphReply>;

export interface GraphRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below `/v1.0/`: literals and `{params}`, as `servicePrincipals/{id}/appRoleAssignedTo`. */
  path: string;
  permission: GraphPermission;
  /** The most request body the operation reads, in bytes (413 beyond); Graph's 4 MiB when absent. */
  bodyLimit?: number;
  run: GraphOperation;
}

export const ok = (body: Json): GraphReply => ({ status: 200, body });
export const created = (body: Json): GraphReply => ({ status: 201, body });
export const noContent = (): GraphReply => ({ status: 204 });

/** A path key the route's template declares (its absence is a bug in the route table). */
export function paramOf(context: GraphContext, name: string): PathKey {
  const key = context.params[name];
  if (!key) throw new Error(`route parameter '${name}' is missing`);
  return key;
}
