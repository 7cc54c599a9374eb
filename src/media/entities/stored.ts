import { ID_KINDS, newId } from '../ids.js';
import type { EntityRecord } from '../odata/edm.js';
import type { EntitySetRules } from './rules.js';
import { requiredString } from './values.js';

/**
 * Sets the service stored and listed without acting on them here (templates, ingest manifests,
 * key authorization policies): the body's declared properties, an Id of the set's kind, and the
 * timestamps. The body reader has already refused undeclared properties and coerced the rest.
 */
export function storedSet(
  set: string,
  options: { required?: readonly string[]; serverSet?: readonly string[]; defaults?: EntityRecord } = {},
): EntitySetRules {
  const serverSet = new Set(['Id', 'Created', 'LastModified', ...(options.serverSet ?? [])]);
  const declared = (values: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(values).filter(([name]) => !serverSet.has(name)));
  return {
    set,
    create(ctx, body) {
      for (const name of options.required ?? []) requiredString(body.values, name);
      const record: EntityRecord = {
        ...options.defaults,
        ...declared(body.values),
        Id: newId(ID_KINDS[set] ?? 'id'),
        Created: ctx.now,
        LastModified: ctx.now,
      };
      ctx.writer.insert(set, record);
      return record;
    },
    update(ctx, existing, body, replace) {
      const base = replace ? { Id: existing.Id, Created: existing.Created, ...options.defaults } : existing;
      return { ...base, ...declared(body.values), LastModified: ctx.now };
    },
    remove(ctx, existing) {
      ctx.writer.remove(set, existing.Id as string);
    },
  };
}
