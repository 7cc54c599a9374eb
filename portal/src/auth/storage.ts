/**
 * What the portal keeps in this tab's sessionStorage: gone when the tab closes, never shared
 * with other tabs or sent anywhere. Access tokens stay in memory only (tokens.ts).
 */
const PREFIX = 'tessera.portal.';

export function readJson<T>(key: string, isValid: (value: unknown) => value is T): T | undefined {
  const text = sessionStorage.getItem(PREFIX + key);
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isValid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export const writeJson = (key: string, value: unknown): void =>
  sessionStorage.setItem(PREFIX + key, JSON.stringify(value));

export const removeKey = (key: string): void => sessionStorage.removeItem(PREFIX + key);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const hasStrings = (value: Record<string, unknown>, keys: readonly string[]): boolean =>
  keys.every((key) => typeof value[key] === 'string');
