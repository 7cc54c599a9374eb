import { parseStringFilter, parseTagFilters } from '../filters/filterSyntax.js';
import type { TagFilter } from '../filters/filterSyntax.js';
import type { Tags } from '../model.js';
import type { KeyValueQuery } from '../persistence/sqlFilters.js';
import type { QueryParameters } from './query.js';

/** `key`, `label` and `tags` query parameters of a key-value or revision listing. */
export function keyValueQuery(query: QueryParameters): KeyValueQuery {
  return {
    key: parseStringFilter('key', query.one('key'), { nullable: false }),
    label: parseStringFilter('label', query.one('label'), { nullable: true }),
    tags: parseTagFilters(query.all('tags')),
  };
}

/** Tag filters on a single item (GET /kv/{key}?tags=…): all must hold. */
export const matchesTags = (tags: Tags, filters: readonly TagFilter[]): boolean =>
  filters.every((f) => Object.hasOwn(tags, f.name) && tags[f.name] === f.value);
