import { mediaErrors } from '../errors.js';
import { containerOf, guidOf, newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import { Permission } from './accessPolicies.js';
import type { EntitySetRules } from './rules.js';
import { enumValue, merged, optionalDate, optionalString, requiredString } from './values.js';

export const LocatorType = { None: 0, Sas: 1, OnDemandOrigin: 2 } as const;
/** Azure's limit: five locators at a time on one asset. */
const MAX_PER_ASSET = 5;

/** The grant a locator was made with, kept on it: its policy may be deleted afterwards. */
export interface LocatorGrant {
  permissions: number;
  startTime: number | null;
  expiry: number;
}

export const grantOf = (locator: EntityRecord): LocatorGrant => ({
  permissions: locator._permissions as number,
  startTime: (locator.StartTime as number | null) ?? null,
  expiry: locator.ExpirationDateTime as number,
});

export const locators: EntitySetRules = {
  set: 'Locators',
  navigations: {
    AccessPolicy: { kind: 'reference', set: 'AccessPolicies', property: 'AccessPolicyId' },
    Asset: { kind: 'reference', set: 'Assets', property: 'AssetId' },
  },
  create(ctx, body) {
    const values = body.values;
    const policyId = requiredString(values, 'AccessPolicyId', 128);
    const assetId = requiredString(values, 'AssetId', 128);
    const type = enumValue(values, 'Type', [LocatorType.Sas, LocatorType.OnDemandOrigin], -1);
    const policy = ctx.writer.get('AccessPolicies', policyId);
    if (!policy) throw mediaErrors.badRequest(`The access policy '${policyId}' does not exist.`);
    if (!ctx.writer.get('Assets', assetId))
      throw mediaErrors.badRequest(`The asset '${assetId}' does not exist.`);
    const permissions = policy.Permissions as number;
    if (type === LocatorType.OnDemandOrigin && (permissions & (Permission.Write | Permission.Delete)) !== 0) {
      throw mediaErrors.badRequest(
        'An OnDemandOrigin locator requires an access policy with Read or List permissions only; Write and Delete are not allowed.',
      );
    }
    const requestedId = optionalString(values, 'Id', 128);
    let id = newId('lid');
    if (requestedId !== undefined) {
      if (guidOf(requestedId, 'lid') === undefined) {
        throw mediaErrors.invalidProperty('Id', "a locator id of the form 'nb:lid:UUID:<guid>' is expected.");
      }
      id = requestedId;
      if (ctx.writer.get('Locators', id))
        throw mediaErrors.conflict(`A locator with the Id '${id}' already exists.`);
    }
    if (ctx.writer.list('Locators').filter((l) => l.AssetId === assetId).length >= MAX_PER_ASSET) {
      throw mediaErrors.conflict(
        `The asset '${assetId}' already has ${MAX_PER_ASSET} locators, the most an asset may have at one time.`,
      );
    }
    const startTime = optionalDate(values, 'StartTime') ?? null;
    const expiry = (startTime ?? ctx.now) + (policy.DurationInMinutes as number) * 60_000;
    const locator: EntityRecord = {
      Id: id,
      Name: optionalString(values, 'Name', 256) ?? '',
      ExpirationDateTime: expiry,
      Type: type,
      AccessPolicyId: policyId,
      AssetId: assetId,
      StartTime: startTime,
      _permissions: permissions,
    };
    ctx.writer.insert('Locators', locator);
    return locator;
  },
  update(ctx, existing, body, replace) {
    if (existing.Type === LocatorType.Sas) {
      throw mediaErrors.badRequest('A SAS locator cannot be updated; delete it and create another.');
    }
    const next = merged(
      existing,
      body.values,
      {
        StartTime: (v) => optionalDate(v, 'StartTime') ?? null,
        ExpirationDateTime: (v) => optionalDate(v, 'ExpirationDateTime') ?? existing.ExpirationDateTime,
        Name: (v) => optionalString(v, 'Name', 256) ?? '',
      },
      replace,
      ctx.now,
    );
    if (
      (next.StartTime as number | null) !== null &&
      (next.StartTime as number) >= (next.ExpirationDateTime as number)
    ) {
      throw mediaErrors.invalidProperty('ExpirationDateTime', 'it must be later than StartTime.');
    }
    return next;
  },
  remove(ctx, existing) {
    ctx.writer.remove('Locators', existing.Id as string);
  },
  present(record, { urls, sas }) {
    const id = record.Id as string;
    if (record.Type === LocatorType.OnDemandOrigin) {
      const guid = guidOf(id) ?? '';
      return {
        ...record,
        BaseUri: urls.streaming,
        ContentAccessComponent: guid,
        Path: urls.originLocatorPath(id),
      };
    }
    const assetId = record.AssetId as string;
    const baseUri = urls.container(assetId);
    const query = sas({ locatorId: guidOf(id) ?? '', container: containerOf(assetId), ...grantOf(record) });
    return { ...record, BaseUri: baseUri, ContentAccessComponent: query, Path: `${baseUri}${query}` };
  },
};
