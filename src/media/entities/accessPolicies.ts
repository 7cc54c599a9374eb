import { mediaErrors } from '../errors.js';
import { newId } from '../ids.js';
import type { EntitySetRules } from './rules.js';
import { checkWriteOnce, enumValue, merged, optionalString, requiredNumber } from './values.js';

export const Permission = { None: 0, Read: 1, Write: 2, Delete: 4, List: 8 } as const;
const PERMISSIONS = [1, 2, 4, 8];
/** Azure's bound: an access policy lasts at most 100 years. */
const MAX_MINUTES = 100 * 365.25 * 24 * 60;

export const accessPolicies: EntitySetRules = {
  set: 'AccessPolicies',
  create(ctx, body) {
    const values = body.values;
    const duration = requiredNumber(values, 'DurationInMinutes');
    if (!(duration > 0) || duration > MAX_MINUTES) {
      throw mediaErrors.invalidProperty(
        'DurationInMinutes',
        'it must be greater than 0 and at most 100 years.',
      );
    }
    const policy = {
      Id: newId('pid'),
      Created: ctx.now,
      LastModified: ctx.now,
      Name: optionalString(values, 'Name', 256) ?? '',
      DurationInMinutes: duration,
      Permissions: enumValue(values, 'Permissions', PERMISSIONS, 0, true),
    };
    ctx.writer.insert('AccessPolicies', policy);
    return policy;
  },
  update(ctx, existing, body, replace) {
    checkWriteOnce(existing, body.values, ['DurationInMinutes', 'Permissions']);
    return merged(
      existing,
      body.values,
      { Name: (v) => optionalString(v, 'Name', 256) ?? '' },
      replace,
      ctx.now,
    );
  },
  remove(ctx, existing) {
    // A locator keeps the grant it was created with, as Azure's SAS did: the policy may go.
    ctx.writer.remove('AccessPolicies', existing.Id as string);
  },
};
