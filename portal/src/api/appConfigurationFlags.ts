import type { KeyValue, Listing } from './appConfiguration.js';
import { escapeFilter, listKeyValues, putKeyValue } from './appConfiguration.js';
import type { Json } from './json.js';
import { isJson } from './json.js';

/**
 * Feature flags: key-values under `.appconfig.featureflag/` whose value is the documented JSON
 * (id, description, enabled, conditions.client_filters), with the content type the SDKs and the
 * feature management libraries recognise.
 */
export const FLAG_PREFIX = '.appconfig.featureflag/';
export const FLAG_CONTENT_TYPE = 'application/vnd.microsoft.appconfig.ff+json;charset=utf-8';

export interface FlagFilter {
  name: string;
  parameters: Record<string, unknown>;
}

export interface FeatureFlag {
  /** The name after the prefix: what applications ask for. */
  name: string;
  kv: KeyValue;
  description: string;
  enabled: boolean;
  filters: FlagFilter[];
  requirementType: 'Any' | 'All';
  /** The whole value as stored, so fields the portal does not edit (variants, telemetry) survive. */
  raw: Record<string, unknown>;
  /** Why the value is not a feature flag's, when it is not. */
  problem?: string;
}

function filtersOf(conditions: unknown): FlagFilter[] {
  if (!isJson(conditions) || !Array.isArray(conditions.client_filters)) return [];
  return conditions.client_filters.filter(isJson).map((f) => ({
    name: typeof f.name === 'string' ? f.name : '',
    parameters: isJson(f.parameters) ? f.parameters : {},
  }));
}

export function featureFlagOf(kv: KeyValue): FeatureFlag {
  const name = kv.key.startsWith(FLAG_PREFIX) ? kv.key.slice(FLAG_PREFIX.length) : kv.key;
  let raw: Json = {};
  let problem: string | undefined;
  try {
    const parsed: unknown = JSON.parse(kv.value ?? '');
    if (isJson(parsed)) raw = parsed;
    else problem = 'Its value is not a JSON object.';
  } catch {
    problem = 'Its value is not valid JSON.';
  }
  const conditions = raw.conditions;
  return {
    name,
    kv,
    description: typeof raw.description === 'string' ? raw.description : '',
    enabled: raw.enabled === true,
    filters: filtersOf(conditions),
    requirementType: isJson(conditions) && conditions.requirement_type === 'All' ? 'All' : 'Any',
    raw,
    problem,
  };
}

export async function listFeatureFlags(store: string, label: string): Promise<Listing<FeatureFlag>> {
  const { items, more } = await listKeyValues(store, { key: `${escapeFilter(FLAG_PREFIX)}*`, label });
  return { items: items.map(featureFlagOf), more };
}

/** What a person edits of a flag; the rest of its stored value is kept. */
export interface FlagInput {
  name: string;
  label: string | null;
  description: string;
  enabled: boolean;
  filters: FlagFilter[];
  requirementType: 'Any' | 'All';
}

/** The documented value: the stored one with the edited fields replaced. */
export function flagValue(input: FlagInput, raw: Json = {}): string {
  const conditions = isJson(raw.conditions) ? raw.conditions : {};
  return JSON.stringify({
    ...raw,
    id: input.name,
    description: input.description,
    enabled: input.enabled,
    conditions: {
      ...conditions,
      client_filters: input.filters,
      ...(input.filters.length > 1 || conditions.requirement_type !== undefined
        ? { requirement_type: input.requirementType }
        : {}),
    },
  });
}

/** Saves a flag: If-Match its etag when it exists (a concurrent change is a 412), else create. */
export const saveFeatureFlag = (
  store: string,
  input: FlagInput,
  existing: FeatureFlag | undefined,
): Promise<KeyValue> =>
  putKeyValue(
    store,
    {
      key: FLAG_PREFIX + input.name,
      label: input.label,
      value: flagValue(input, existing?.raw),
      contentType: FLAG_CONTENT_TYPE,
      tags: existing?.kv.tags ?? {},
    },
    existing ? { etag: existing.kv.etag } : { create: true },
  );

/** The flag as stored, with `enabled` flipped. */
export const toggleFeatureFlag = (store: string, flag: FeatureFlag): Promise<KeyValue> =>
  saveFeatureFlag(
    store,
    {
      name: flag.name,
      label: flag.kv.label,
      description: flag.description,
      enabled: !flag.enabled,
      filters: flag.filters,
      requirementType: flag.requirementType,
    },
    flag,
  );
