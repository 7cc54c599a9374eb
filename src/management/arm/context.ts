import type { ConditionAttributes } from '../../access/conditions/conditionAttributes.js';
import type { AccessTokenClaims, Principal } from '../../guard/principal.js';
import type { Tessera } from '../../tessera.js';
import type { Subscription } from '../subscriptions.js';
import type { VersionedApi } from './apiVersions.js';

/** The authenticated caller of one request. */
export interface Caller {
  principal: Principal;
  claims: AccessTokenClaims;
  /** The token's tenant (lower-case): every lookup is confined to it. */
  tenantId: string;
}

export interface ArmRequest {
  method: string;
  /** Canonical path: decoded segments joined by single slashes. */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  /** Tessera's origin as the client called it: endpoints and next links are built on it. */
  origin: string;
}

export interface ArmContext {
  tessera: Tessera;
  caller: Caller;
  request: ArmRequest;
  /**
   * The subscription the path names (`/subscriptions/{id}/…`), as found when the request was
   * authorized; a path naming a missing one never reaches an operation. Undefined for paths above
   * subscriptions (tenants, `/providers/…`, the subscription list).
   */
  subscription?: Subscription;
  /** Whether the caller may perform `action` at `scope` (no error). */
  permits(action: string, scope: string): Promise<boolean>;
  /** ARM's 403 unless the caller may perform `action` at `scope` (with these ABAC attributes). */
  authorize(action: string, scope: string, attributes?: ConditionAttributes): Promise<void>;
}

export interface ArmReply {
  status: number;
  /** Serialized as JSON, unless it is already JSON text (`JsonText`, sent as it is). */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * One management operation: the API whose api-versions it accepts, the RBAC action it needs and
 * the scope where ARM checks it, checked before `run` sees the request.
 */
export interface ArmOperation {
  api: VersionedApi;
  /** null: any authenticated caller of the tenant (tenant list, built-in role catalogue). */
  action: string | null;
  scope: string;
  /**
   * `run` checks access itself instead of a 403 at `scope` up front: lists show the items the
   * caller may read (`visibleItems`), subscriptions count roles anywhere inside them.
   */
  checksOwnAccess?: boolean;
  /** What ARM names in a 403 instead of `scope`, when it names the resource (a role assignment's id). */
  resourceId?: string;
  /**
   * ABAC: the attributes the action's conditions read (role assignment writes and deletes), from
   * the parsed body or the stored row. A caller whose only grants wait on them passes the check
   * before the body as pending, and is checked again with them before `run`.
   */
  conditionAttributes?(context: ArmContext): Promise<ConditionAttributes>;
  /** The most request body the operation reads, in bytes (413 beyond); ARM's 4 MiB when absent. */
  bodyLimit?: number;
  run(context: ArmContext): Promise<ArmReply>;
}
