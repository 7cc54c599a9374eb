import { appConfigErrors } from '../errors.js';
import type { QueryParameters } from './query.js';

/**
 * `$select` (the current name; the SDKs send it as `%24select`) or `fields` (the name before):
 * comma-separated field names, each of which must be one the resource has.
 */
export function selectedFields<F extends string>(
  query: QueryParameters,
  known: readonly F[],
  defaults: readonly F[],
): readonly F[] {
  const name = query.has('$select') ? '$select' : query.has('fields') ? 'fields' : undefined;
  if (name === undefined) return defaults;
  const values = query.all(name);
  const fields = values.flatMap((v) => v.split(',')).map((f) => f.trim());
  const chosen = new Set<F>();
  for (const field of fields) {
    const match = known.find((k) => k === field.toLowerCase());
    if (!match) throw appConfigErrors.invalidArgument(name, `${name}: Unknown field '${field}'`);
    chosen.add(match);
  }
  // Output follows the resource's field order, whatever the order asked for.
  return known.filter((f) => chosen.has(f));
}
