import { mediaErrors } from '../errors.js';
import { ID_KINDS, newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import { entityTypeOf, navigationOf, propertyOf } from '../odata/model.js';
import type { EntitySetRules, Navigation, RuleContext } from './rules.js';
import { checkWriteOnce, optionalString } from './values.js';

/**
 * Sets the service stored and listed without acting on them here (templates, ingest manifests,
 * key authorization policies): the body's declared properties, an Id of the set's kind, and the
 * timestamps. The body reader has already refused undeclared properties and coerced the rest;
 * the model's flags say which properties the service sets (a client's value is ignored), which
 * are set once (a change is a 400) and which a create must give.
 *
 * `navigations` answers the navigation properties the model declares for the set (a declared
 * navigation that 404s would break every client following a `__deferred` link); writable links
 * may also be bound when the entity is created (`"Asset":{"__metadata":{"uri":…}}`), and go with
 * the entity when it is deleted. A type with a `StorageAccountName` gets the account's one storage
 * account unless the body names it.
 */
export function storedSet(
  set: string,
  options: {
    required?: readonly string[];
    serverSet?: readonly string[];
    defaults?: EntityRecord;
    navigations?: Readonly<Record<string, Navigation>>;
  } = {},
): EntitySetRules {
  const type = entityTypeOf(set);
  // What the model says of each property: the service sets it, it is set once, it must be given.
  const serverSet = new Set([
    'Id',
    'Created',
    'LastModified',
    ...type.properties.filter((p) => p.serverSet).map((p) => p.name),
    ...(options.serverSet ?? []),
  ]);
  const createOnly = type.properties.filter((p) => p.createOnly).map((p) => p.name);
  const required = [
    ...new Set([
      ...type.properties.filter((p) => p.required).map((p) => p.name),
      ...(options.required ?? []),
    ]),
  ];
  const declared = (values: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(values).filter(([name]) => !serverSet.has(name)));
  /** What a PUT keeps: the service's fields and those set once. */
  const kept = (existing: EntityRecord) =>
    Object.fromEntries(
      Object.entries(existing).filter(([name]) => serverSet.has(name) || createOnly.includes(name)),
    );
  const navigations = options.navigations ?? {};
  const links = Object.entries(navigations).filter(([, rule]) => rule.kind === 'link');
  return {
    set,
    navigations,
    create(ctx, body) {
      for (const name of required) {
        const value = body.values[name];
        if (value === undefined || value === null || value === '') throw mediaErrors.missingProperty(name);
      }
      const nested = Object.keys(body.nested);
      if (nested.length > 0) {
        throw mediaErrors.badRequest(
          `Entities written inline in '${nested[0]}' are not supported; create them, then link them.`,
        );
      }
      const record: EntityRecord = {
        ...options.defaults,
        ...declared(body.values),
        Id: newId(ID_KINDS[set] ?? 'id'),
        Created: ctx.now,
        LastModified: ctx.now,
      };
      if (propertyOf(entityTypeOf(set), 'StorageAccountName')) {
        const storage = optionalString(body.values, 'StorageAccountName');
        if (storage !== undefined && storage !== '' && storage !== ctx.account.name) {
          throw mediaErrors.invalidProperty(
            'StorageAccountName',
            `the account has no storage account '${storage}'.`,
          );
        }
        record.StorageAccountName = ctx.account.name;
      }
      ctx.writer.insert(set, record);
      for (const [navigation, urls] of Object.entries(body.binds)) {
        bind(ctx, set, record.Id as string, navigation, navigations[navigation], urls);
      }
      return record;
    },
    update(ctx, existing, body, replace) {
      checkWriteOnce(existing, body.values, createOnly);
      const base = replace ? { ...options.defaults, ...kept(existing) } : existing;
      return { ...base, ...declared(body.values), LastModified: ctx.now };
    },
    remove(ctx, existing) {
      const id = existing.Id as string;
      for (const [navigation] of links) {
        for (const link of ctx.writer.targets(set, id, navigation)) ctx.writer.unlink(link);
      }
      for (const link of ctx.writer.linksTo(set, id)) ctx.writer.unlink(link);
      ctx.writer.remove(set, id);
    },
  };
}

/** The body's bind URLs of one navigation, as links; only writable links can be bound. */
function bind(
  ctx: RuleContext,
  set: string,
  id: string,
  navigation: string,
  rule: Navigation | undefined,
  urls: readonly string[],
): void {
  if (rule?.kind !== 'link' || !rule.writable) {
    throw mediaErrors.badRequest(`The navigation property '${navigation}' of ${set} cannot be bound.`);
  }
  if (!navigationOf(entityTypeOf(set), navigation)?.many && urls.length > 1) {
    throw mediaErrors.badRequest(`The navigation property '${navigation}' of ${set} takes one entity.`);
  }
  for (const url of urls) {
    const target = ctx.bind(url);
    if (target.set !== rule.set)
      throw mediaErrors.badRequest(`'${url}' does not name an entity of ${rule.set}.`);
    if (!ctx.writer.get(target.set, target.key)) throw mediaErrors.entityNotFound(target.set, target.key);
    ctx.writer.link({
      sourceSet: set,
      sourceId: id,
      navigation,
      targetSet: target.set,
      targetId: target.key,
    });
  }
}
