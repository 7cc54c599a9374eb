import { mediaErrors } from '../errors.js';
import type { EntityRecord } from '../odata/edm.js';

/**
 * Reading request values that the body reader has already coerced to their EDM types. Clients
 * send server-set properties back (the .NET SDK posts every property of the type, Id and Created
 * included), so the rules read only the properties they accept and ignore the rest.
 */
export type Values = Readonly<Record<string, unknown>>;

export const has = (values: Values, name: string): boolean => values[name] !== undefined;

export function optionalString(values: Values, name: string, maxLength = 4000): string | undefined {
  const value = values[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw mediaErrors.invalidProperty(name, 'a string is expected.');
  if (value.length > maxLength)
    throw mediaErrors.invalidProperty(name, `at most ${maxLength} characters are allowed.`);
  return value;
}

export function requiredString(values: Values, name: string, maxLength = 4000): string {
  const value = optionalString(values, name, maxLength);
  if (value === undefined || value === '') throw mediaErrors.missingProperty(name);
  return value;
}

export function optionalNumber(values: Values, name: string): number | undefined {
  const value = values[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw mediaErrors.invalidProperty(name, 'a number is expected.');
  return value;
}

export function requiredNumber(values: Values, name: string): number {
  const value = optionalNumber(values, name);
  if (value === undefined) throw mediaErrors.missingProperty(name);
  return value;
}

/** An enumeration's value: one of `allowed`, or a combination of them when `flags`. */
export function enumValue(
  values: Values,
  name: string,
  allowed: readonly number[],
  fallback: number,
  flags = false,
): number {
  const value = optionalNumber(values, name) ?? fallback;
  const all = allowed.reduce((a, b) => a | b, 0);
  const ok = flags ? Number.isInteger(value) && value >= 0 && (value & ~all) === 0 : allowed.includes(value);
  if (!ok) throw mediaErrors.invalidProperty(name, `${value} is not a valid value.`);
  return value;
}

export function optionalBoolean(values: Values, name: string): boolean | undefined {
  const value = values[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw mediaErrors.invalidProperty(name, 'true or false is expected.');
  return value;
}

export function optionalDate(values: Values, name: string): number | undefined {
  const value = values[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw mediaErrors.invalidProperty(name, 'a date is expected.');
  return value;
}

/** A property that may be given once: sending it again with another value is refused. */
export function checkWriteOnce(existing: EntityRecord, values: Values, names: readonly string[]): void {
  for (const name of names) {
    if (!has(values, name)) continue;
    const before = existing[name] ?? null;
    const after = values[name] ?? null;
    if (JSON.stringify(before) !== JSON.stringify(after)) throw mediaErrors.writeOnce(name);
  }
}

/** The record with only the fields a client may change replaced (MERGE) or reset (PUT). */
export function merged(
  existing: EntityRecord,
  values: Values,
  updatable: Readonly<Record<string, (values: Values) => unknown>>,
  replace: boolean,
  now: number,
): EntityRecord {
  const next: EntityRecord = { ...existing };
  for (const [name, read] of Object.entries(updatable)) {
    if (has(values, name) || replace) next[name] = read(values) ?? (replace ? null : existing[name]);
  }
  if ('LastModified' in existing) next.LastModified = now;
  return next;
}
