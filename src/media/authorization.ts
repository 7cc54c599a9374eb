import type { AccessEngine } from '../access/engine.js';
import type { MediaAccount } from './accounts.js';
import type { MediaCaller } from './authentication.js';
import { challengeFor } from './authentication.js';
import { MediaError, mediaErrors } from './errors.js';
import { parseBatch } from './odata/batch.js';
import type { BatchRequestPart } from './odata/batch.js';
import { contentIdReference } from './odata/batchParser.js';
import { parseResourcePath } from './odata/resourcePath.js';
import { PATH_MODEL } from './api/pathModel.js';
import { ADMISSION_ACTIONS, operationAction, setAction } from './operationActions.js';

/**
 * Who may use the v2 API of an account, decided by actions (operationActions.ts), never by role
 * names: the service let in callers with Contributor or Owner on the account and answered
 * everyone else 401, a Reader included. Here a caller is let in when it holds any of the API's
 * write-side actions on the account (Owner's and Contributor's `*`, a custom
 * `Microsoft.Media/mediaservices/*`, each Media Services role for its part); each request, and
 * each operation of a `$batch`, then needs its own action, so the Media Services roles do what
 * their permissions say. Deny assignments and groups follow from the engine. Failures are 401.
 */

/** One request of the API: the method as the API sees it and the raw path below `api/`. */
export interface MediaRequestTarget {
  method: string;
  path: string;
}

/** The action a request needs; null for admission only, undefined when its path names nothing. */
function actionOf(target: MediaRequestTarget): string | null | undefined {
  try {
    return operationAction(target.method, parseResourcePath(target.path, PATH_MODEL));
  } catch (error) {
    // A path the API cannot parse is answered by the API itself (400/404) and runs nothing.
    if (error instanceof MediaError) return undefined;
    throw error;
  }
}

/** What a request that was let in may still be refused: the operations of its `$batch` body. */
export interface MediaPermit {
  /** Throws the 401 unless every operation of a `$batch` body is allowed; other bodies pass. */
  checkBody(request: MediaRequestTarget & { apiUrl: string; contentType?: string; body: Buffer }): void;
}

/**
 * The seed's rule: without access the answer is 401, not 403. A role removed by another process
 * (the CLI, another node) must shut the caller out on its next request, so the access counter is
 * read for every request (one indexed read; the index itself is rebuilt only when it moved).
 */
export async function authorize(
  access: Pick<AccessEngine, 'current'>,
  caller: MediaCaller,
  account: MediaAccount,
  origin: string,
  target?: MediaRequestTarget,
): Promise<MediaPermit> {
  const index = await access.current(0);
  const refuse = () => mediaErrors.unauthorized(challengeFor(origin, account));
  const allowed = (action: string) =>
    index.evaluate(caller.objectId, action, account.scope, 'action').allowed;
  if (!ADMISSION_ACTIONS.some(allowed)) throw refuse();
  const action = target && actionOf(target);
  if (action && !allowed(action)) throw refuse();
  return {
    checkBody(request) {
      if (actionOf(request) !== null || !isBatch(request)) return;
      const refused = refusedBatchOperation(request, allowed);
      if (refused) throw refuse();
    },
  };
}

const isBatch = (target: MediaRequestTarget): boolean => {
  try {
    return parseResourcePath(target.path, PATH_MODEL).kind === 'batch';
  } catch {
    return false;
  }
};

/**
 * The part's request below `api/`, as the API will run it: its URL resolved against the API root
 * (parts may be absolute, root-relative or relative) and its `X-HTTP-Method`. Undefined when it is
 * not below the API root (the API answers that part 400 and runs nothing).
 */
function partTarget(part: BatchRequestPart, apiUrl: string): MediaRequestTarget | undefined {
  const base = new URL(apiUrl);
  let url: URL;
  try {
    url = new URL(part.url, base);
  } catch {
    return undefined;
  }
  if (!url.pathname.startsWith(base.pathname)) return undefined;
  return {
    method: (part.headers['x-http-method'] ?? part.method).toUpperCase(),
    path: url.pathname.slice(base.pathname.length),
  };
}

/**
 * Whether some operation of a `$batch` is refused, checked before any of them runs. `$n/…` names
 * what the change set's part n created, so it is checked as an operation on the set part n posted
 * to. A body that does not parse runs nothing (the API answers it 400), so nothing is refused.
 */
function refusedBatchOperation(
  batch: { apiUrl: string; contentType?: string; body: Buffer },
  allowed: (action: string) => boolean,
): boolean {
  let items;
  try {
    items = parseBatch(batch.contentType, batch.body);
  } catch (error) {
    if (error instanceof MediaError) return false;
    throw error;
  }
  for (const item of items) {
    const parts = item.kind === 'query' ? [item.request] : item.requests;
    const setsById = new Map<string, string>();
    for (const part of parts) {
      const reference = contentIdReference(part.url);
      const method = (part.headers['x-http-method'] ?? part.method).toUpperCase();
      let action: string | null | undefined;
      let set: string | undefined;
      if (reference !== undefined) {
        set = setsById.get(reference);
        action = set === undefined ? undefined : setAction(set, method);
      } else {
        const target = partTarget(part, batch.apiUrl);
        action = target && actionOf(target);
        set = target && setOf(target);
      }
      if (action && !allowed(action)) return true;
      if (part.contentId !== undefined && set !== undefined) setsById.set(part.contentId, set);
    }
  }
  return false;
}

/** The entity set a request addresses, for `$n` references to what it created. */
function setOf(target: MediaRequestTarget): string | undefined {
  try {
    const path = parseResourcePath(target.path, PATH_MODEL);
    return 'set' in path ? path.set : undefined;
  } catch {
    return undefined;
  }
}
