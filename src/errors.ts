/**
 * A failure of an admin operation (CLI or management code) that is the caller's fault.
 * Wire formats (AADSTS, ARM, problem+json) have their own error classes; this one carries a
 * stable code so the CLI can print it as az does and exit non-zero.
 */
export class TesseraError extends Error {
  override readonly name = 'TesseraError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * 8-4-4-4-12 hexadecimal digits, either case. A loop rather than a regular expression: every ARM
 * and Media request checks one or two, and the expression cost more than the rest of the path parse.
 */
export function isGuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46))) {
      return false;
    }
  }
  return true;
}
