import { appConfigErrors } from './errors.js';
import type { KeyValueInput } from './model.js';

/** Key + label + value + attributes, in UTF-8 bytes: the service's limit per key-value. */
export const KEY_VALUE_SIZE_LIMIT = 10 * 1024;

/**
 * Where the first control character (C0 or DEL) is, or -1. The NUL character is how clients name
 * the null label, never part of a name itself.
 */
export function controlCharacterAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return i;
  }
  return -1;
}

const bytes = (text: string | null): number => (text === null ? 0 : Buffer.byteLength(text, 'utf8'));

/** The service's rules for keys: `%` is refused, and so are `.` and `..` (they would be path segments). */
export function checkKey(key: string): void {
  if (key === '') throw appConfigErrors.invalidArgument('key', 'key: A key is required');
  if (key === '.' || key === '..') {
    throw appConfigErrors.invalidArgument('key', `key: '${key}' is not a valid key`);
  }
  const percent = key.indexOf('%');
  if (percent >= 0) throw appConfigErrors.invalidCharacter('key', percent);
  const control = controlCharacterAt(key);
  if (control >= 0) throw appConfigErrors.invalidCharacter('key', control);
}

export function checkLabel(label: string | null): void {
  if (label === null) return;
  const control = controlCharacterAt(label);
  if (control >= 0) throw appConfigErrors.invalidCharacter('label', control);
}

export function keyValueSize(input: KeyValueInput): number {
  let size = bytes(input.key) + bytes(input.label) + bytes(input.value);
  size += bytes(input.contentType) + bytes(input.description);
  for (const [name, value] of Object.entries(input.tags)) size += bytes(name) + bytes(value);
  return size;
}

/** Everything a write must satisfy before it touches the store. */
export function checkKeyValueInput(input: KeyValueInput): void {
  checkKey(input.key);
  checkLabel(input.label);
  if (keyValueSize(input) > KEY_VALUE_SIZE_LIMIT) throw appConfigErrors.tooLarge(KEY_VALUE_SIZE_LIMIT);
}

/** Setting the same content again changes nothing: no new etag, no new revision (as the service). */
export function sameContent(a: KeyValueInput, b: KeyValueInput): boolean {
  if (a.value !== b.value || a.contentType !== b.contentType || a.description !== b.description) return false;
  const aTags = Object.entries(a.tags);
  const bTags = b.tags;
  return (
    aTags.length === Object.keys(bTags).length &&
    aTags.every(([name, value]) => Object.hasOwn(bTags, name) && bTags[name] === value)
  );
}
