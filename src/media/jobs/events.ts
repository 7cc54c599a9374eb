import type { MediaAccount } from '../accounts.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';

/** One committed state change of a job (no `task`) or of one of its tasks. */
export interface JobStateChange {
  account: MediaAccount;
  job: EntityRecord;
  task?: EntityRecord;
  oldState: number;
  newState: number;
}

/** Where state changes go (webhooks): publishing never blocks and never throws. */
export interface JobEvents {
  publish(view: AccountView, event: JobStateChange): void;
}
