import type { AccessEngine } from '../access/engine.js';
import type { MediaAccount } from './accounts.js';
import type { MediaCaller } from './authentication.js';
import { challengeFor } from './authentication.js';
import { mediaErrors } from './errors.js';

/**
 * The v2 API predates data actions: the service let in callers holding Contributor or Owner on
 * the account, and nobody else (a Reader included). In RBAC terms that is the account's write
 * action, which Owner and Contributor grant through `*` and Reader does not; deny assignments
 * and custom roles are honoured the same way. Every operation of the API requires it.
 */
export const MEDIA_V2_ACTION = 'Microsoft.Media/mediaservices/write';

/**
 * The seed's rule: without the role the answer is 401, not 403. A role removed by another process
 * (the CLI, another node) must shut the caller out on its next request, so the access counter is
 * read for every request (one indexed read; the index itself is rebuilt only when it moved).
 */
export async function authorize(
  access: Pick<AccessEngine, 'current'>,
  caller: MediaCaller,
  account: MediaAccount,
  origin: string,
): Promise<void> {
  const index = await access.current(0);
  const decision = index.evaluate(caller.objectId, MEDIA_V2_ACTION, account.scope, 'action');
  if (!decision.allowed) throw mediaErrors.unauthorized(challengeFor(origin, account));
}
