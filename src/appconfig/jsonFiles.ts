import { TesseraError } from '../errors.js';

/**
 * az's JSON file semantics for `appconfig kv import/export`. With a separator, nested objects
 * (and arrays, by index) become keys joined by it, and are rebuilt from them on export; without
 * one, each top-level property is a key-value and anything that is not a string is stored as its
 * JSON text. Values come back as strings on export, as az writes them.
 */
export function flattenJson(document: unknown, separator: string | undefined): Array<[string, string]> {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new TesseraError('InvalidFile', 'The file must contain a JSON object.');
  }
  const pairs: Array<[string, string]> = [];
  const visit = (key: string, value: unknown) => {
    if (separator !== undefined && value !== null && typeof value === 'object') {
      const entries = Array.isArray(value)
        ? value.map((v, i) => [String(i), v] as const)
        : Object.entries(value);
      for (const [inner, innerValue] of entries) visit(`${key}${separator}${inner}`, innerValue);
      return;
    }
    pairs.push([key, typeof value === 'string' ? value : JSON.stringify(value)]);
  };
  for (const [key, value] of Object.entries(document)) visit(key, value);
  return pairs;
}

type Tree = { [name: string]: Tree | string };

/** An object whose keys are 0, 1, … n-1 was an array before it was flattened. */
function restoreArrays(tree: Tree | string): unknown {
  if (typeof tree === 'string') return tree;
  const keys = Object.keys(tree);
  const values = Object.fromEntries(keys.map((k) => [k, restoreArrays(tree[k] ?? '')]));
  const isArray = keys.length > 0 && keys.every((k, i) => k === String(i));
  return isArray ? keys.map((k) => values[k]) : values;
}

export function unflattenJson(
  pairs: ReadonlyArray<[string, string]>,
  separator: string | undefined,
): unknown {
  if (separator === undefined) return Object.fromEntries(pairs);
  const root: Tree = {};
  for (const [key, value] of pairs) {
    const path = key.split(separator);
    let node = root;
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      const existing = node[segment];
      if (last) {
        if (existing !== undefined) throw conflict(key);
        node[segment] = value;
      } else {
        if (typeof existing === 'string') throw conflict(key);
        node = node[segment] = existing ?? {};
      }
    }
  }
  return restoreArrays(root);
}

const conflict = (key: string) =>
  new TesseraError(
    'InvalidKeyHierarchy',
    `The key '${key}' is both a value and a parent of other keys, so it cannot be exported with this separator.`,
  );
