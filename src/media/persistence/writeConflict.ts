import { MediaError } from '../errors.js';

/**
 * A unit of work that lost a race: another process committed to the account after the unit read
 * it, so committing would overwrite what that process wrote. Nothing of the unit was written,
 * which makes it safe to retry; it is answered 503 ServerBusy with Retry-After, the answer the
 * SDKs' retry policies treat as transient. Only SQLite can raise it (a CLI or second server on
 * the data folder writing the same account in the same instant): on PostgreSQL a unit runs
 * under its account's lock and never races.
 */
export class MediaWriteConflict extends MediaError {
  constructor(readonly account: string) {
    super(
      503,
      'ServerBusy',
      'Another request changed the account at the same time and nothing was written; retry the request.',
      { 'retry-after': '1' },
    );
  }
}
