/** Lists live in JSON text columns; a corrupt value is a bug, so it throws rather than guessing. */
export function parseList<T>(text: string): T[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) throw new Error('expected a JSON array in a list column');
  return value as T[];
}
