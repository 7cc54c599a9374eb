import { randomInt } from 'node:crypto';

/**
 * RFC 8628 §6.1: consonants only — no vowels (no words), no look-alikes such as 0/O or 1/I —
 * so a person can read the code off a screen and type it. 20^8 ≈ 2^34.6 codes.
 */
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** What the person typed, as a code: case, spaces and dashes do not matter. */
export function normalizeUserCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : undefined;
}
