import { mediaErrors } from '../errors.js';
import type { EntityRecord } from '../odata/edm.js';
import type { AccountView } from '../persistence/accountView.js';
import type { MediaAccount } from '../accounts.js';
import type { EntitySetRules } from './rules.js';
import { enumValue, merged, optionalNumber } from './values.js';

/** S1, S2, S3. */
const UNIT_TYPES = [0, 1, 2];
/** Azure's default quota of reserved units per account. */
const MAX_RESERVABLE = 25;

/** The account's one row: stored once changed, else the service's default (S1, no reserved unit). */
export function reservedUnits(account: MediaAccount, view: AccountView): EntityRecord {
  return (
    view.get('EncodingReservedUnitTypes', account.mediaServiceId) ?? {
      Id: account.mediaServiceId,
      AccountId: account.mediaServiceId,
      ReservedUnitType: 0,
      MaxReservableUnits: MAX_RESERVABLE,
      CurrentReservedUnits: 0,
    }
  );
}

/** How many tasks of the account may encode at once: one per reserved unit, and one without any. */
export const concurrentTasks = (units: EntityRecord): number =>
  Math.max(1, units.CurrentReservedUnits as number);

export const encodingReservedUnitTypes: EntitySetRules = {
  set: 'EncodingReservedUnitTypes',
  builtIn: (account, view) =>
    view.get('EncodingReservedUnitTypes', account.mediaServiceId) ? [] : [reservedUnits(account, view)],
  update(ctx, existing, body, replace) {
    const next = merged(
      existing,
      body.values,
      {
        ReservedUnitType: (v) =>
          enumValue(v, 'ReservedUnitType', UNIT_TYPES, existing.ReservedUnitType as number),
        CurrentReservedUnits: (v) =>
          optionalNumber(v, 'CurrentReservedUnits') ?? existing.CurrentReservedUnits,
      },
      replace,
      ctx.now,
    );
    const units = next.CurrentReservedUnits as number;
    if (!Number.isInteger(units) || units < 0 || units > (existing.MaxReservableUnits as number)) {
      throw mediaErrors.forbidden(
        `CurrentReservedUnits must be an integer from 0 to ${String(existing.MaxReservableUnits)} (the account's quota).`,
      );
    }
    // More units start queued tasks now, not at the next job's submission.
    const account = ctx.account.name;
    ctx.afterCommit(() => ctx.services.jobs.wake(account));
    return next;
  },
};
