import { appConfigErrors } from '../errors.js';
import { controlCharacterAt } from '../keyValueRules.js';
import { matchesSeveral, parseStringFilter, parseTagFilters } from '../filters/filterSyntax.js';
import type { CompositionType, SnapshotFilter } from '../model.js';
import type { SnapshotSpec } from '../persistence/snapshots.js';
import type { KeyValueQuery } from '../persistence/sqlFilters.js';
import { jsonObjectBody, optionalText } from './jsonBody.js';

const MIN_FILTERS = 1;
const MAX_FILTERS = 3;
/** Retention of archived snapshots, in seconds: one hour to 90 days; 30 days unless asked. */
const MIN_RETENTION = 3600;
const MAX_RETENTION = 90 * 24 * 3600;
const DEFAULT_RETENTION = 30 * 24 * 3600;
const MAX_NAME_LENGTH = 256;

export function checkSnapshotName(name: string): void {
  if (name === '' || name.length > MAX_NAME_LENGTH || controlCharacterAt(name) >= 0) {
    throw appConfigErrors.invalidArgument('name', `name: '${name}' is not a valid snapshot name`);
  }
}

function snapshotFilter(value: unknown, index: number, composition: CompositionType) {
  const at = `filters[${index}]`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw appConfigErrors.invalidArgument(at, `${at}: A filter object is expected`);
  }
  const body = value as Record<string, unknown>;
  const key = optionalText(body, 'key');
  if (key === null) throw appConfigErrors.invalidArgument(`${at}.key`, `${at}.key: A key filter is required`);
  const label = optionalText(body, 'label');
  const tags = body.tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t): t is string => typeof t === 'string')) {
    throw appConfigErrors.invalidArgument(`${at}.tags`, `${at}.tags: An array of tag filters is expected`);
  }
  // A snapshot filter without a label selects the null label (a listing's omitted label is "any").
  const labelFilter =
    label === null
      ? { exact: [null], prefixes: [] }
      : parseStringFilter(`${at}.label`, label, { nullable: true });
  if (composition === 'key' && matchesSeveral(labelFilter)) {
    throw appConfigErrors.invalidArgument(
      `${at}.label`,
      `${at}.label: Unexpected label which could match multiple values for a key`,
    );
  }
  const filter: SnapshotFilter = { key, label, tags };
  const query: KeyValueQuery = {
    key: parseStringFilter(`${at}.key`, key, { nullable: false }),
    label: labelFilter,
    tags: parseTagFilters(tags),
  };
  return { filter, query };
}

function retentionPeriod(body: Record<string, unknown>): number {
  const value = body.retention_period;
  if (value === undefined || value === null) return DEFAULT_RETENTION;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_RETENTION ||
    value > MAX_RETENTION
  ) {
    throw appConfigErrors.invalidArgument(
      'retention_period',
      `retention_period: A whole number of seconds from ${MIN_RETENTION} to ${MAX_RETENTION} is expected`,
    );
  }
  return value;
}

function snapshotTags(body: Record<string, unknown>): Record<string, string> {
  const value = body.tags ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw appConfigErrors.invalidArgument('tags', 'tags: An object of tags is expected');
  }
  const tags: Record<string, string> = {};
  for (const [name, tag] of Object.entries(value)) {
    if (typeof tag !== 'string')
      throw appConfigErrors.invalidArgument(`tags.${name}`, `tags.${name}: A string is expected`);
    tags[name] = tag;
  }
  return tags;
}

/** PUT /snapshots/{name}: `filters` (1 to 3), `composition_type`, `retention_period`, `tags`. */
export function snapshotSpec(name: string, rawBody: unknown): SnapshotSpec {
  checkSnapshotName(name);
  const body = jsonObjectBody(rawBody);
  const composition = body.composition_type ?? 'key';
  if (composition !== 'key' && composition !== 'key_label') {
    throw appConfigErrors.invalidArgument(
      'composition_type',
      "composition_type: 'key' or 'key_label' is expected",
    );
  }
  const filters = body.filters;
  if (!Array.isArray(filters) || filters.length < MIN_FILTERS || filters.length > MAX_FILTERS) {
    throw appConfigErrors.invalidArgument(
      'filters',
      `filters: From ${MIN_FILTERS} to ${MAX_FILTERS} filters are expected`,
    );
  }
  const parsed = filters.map((f: unknown, i) => snapshotFilter(f, i, composition));
  return {
    name,
    filters: parsed.map((p) => p.filter),
    queries: parsed.map((p) => p.query),
    compositionType: composition,
    retentionPeriod: retentionPeriod(body),
    tags: snapshotTags(body),
    description: optionalText(body, 'description'),
  };
}

/** PATCH /snapshots/{name}: `{"status":"archived"}` archives, `{"status":"ready"}` recovers. */
export function targetStatus(rawBody: unknown): 'archived' | 'ready' {
  const status = jsonObjectBody(rawBody).status;
  if (status !== 'archived' && status !== 'ready') {
    throw appConfigErrors.invalidArgument('status', "status: 'archived' or 'ready' is expected");
  }
  return status;
}
