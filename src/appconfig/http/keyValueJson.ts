import type { KeyValue } from '../model.js';
import { DESCRIPTION_SINCE, isAtLeast } from './apiVersions.js';
import { isoSeconds } from './wireTime.js';

export type KeyValueField =
  'etag' | 'key' | 'label' | 'content_type' | 'value' | 'description' | 'tags' | 'locked' | 'last_modified';

/** The service's field order. */
export const KEY_VALUE_FIELDS: readonly KeyValueField[] = [
  'etag',
  'key',
  'label',
  'content_type',
  'value',
  'description',
  'tags',
  'locked',
  'last_modified',
];

const WITHOUT_DESCRIPTION = KEY_VALUE_FIELDS.filter((f) => f !== 'description');

/** What a key-value shows when `$select` is absent: `description` only from 2026-04-01 on. */
export const defaultKeyValueFields = (apiVersion: string): readonly KeyValueField[] =>
  isAtLeast(apiVersion, DESCRIPTION_SINCE) ? KEY_VALUE_FIELDS : WITHOUT_DESCRIPTION;

const fieldValue: Record<KeyValueField, (kv: KeyValue) => unknown> = {
  etag: (kv) => kv.etag,
  key: (kv) => kv.key,
  label: (kv) => kv.label,
  content_type: (kv) => kv.contentType,
  value: (kv) => kv.value,
  description: (kv) => kv.description,
  tags: (kv) => kv.tags,
  locked: (kv) => kv.locked,
  last_modified: (kv) => isoSeconds(kv.lastModified),
};

/** A key-value on the wire: values (feature flags, Key Vault references) exactly as stored. */
export function keyValueJson(kv: KeyValue, fields: readonly KeyValueField[]): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const field of fields) json[field] = fieldValue[field](kv);
  return json;
}

// Read-cached key-values are shared objects: their wire text is worth keeping with them.
const serialized = new WeakMap<KeyValue, Map<string, string>>();

/** The JSON text of a key-value with these fields, computed once per key-value object. */
export function keyValueText(kv: KeyValue, fields: readonly KeyValueField[]): string {
  let byFields = serialized.get(kv);
  if (!byFields) serialized.set(kv, (byFields = new Map()));
  const signature = fields === KEY_VALUE_FIELDS ? '*' : fields.join(',');
  let text = byFields.get(signature);
  if (text === undefined) byFields.set(signature, (text = JSON.stringify(keyValueJson(kv, fields))));
  return text;
}

export const KEY_VALUE_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.kv+json; charset=utf-8';
export const KEY_VALUE_SET_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.kvset+json; charset=utf-8';
