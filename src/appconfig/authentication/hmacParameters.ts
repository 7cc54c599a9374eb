/** `Credential=…&SignedHeaders=a;b;c&Signature=…` (a comma separates too, for old clients). */
export interface HmacParameters {
  credential?: string;
  signedHeaders?: string[];
  signature?: string;
}

/** Parameter names are case-sensitive; the first occurrence of each counts. */
export function parseHmacParameters(text: string): HmacParameters {
  const parameters: HmacParameters = {};
  for (const part of text.split(/[&,]/)) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    const name = part.slice(0, equals).trim();
    // Only the first '=' separates: base64 signatures end in '=' padding.
    const value = part.slice(equals + 1).trim();
    if (name === 'Credential') parameters.credential ??= value;
    else if (name === 'SignedHeaders') {
      parameters.signedHeaders ??= value
        .split(';')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== '');
    } else if (name === 'Signature') parameters.signature ??= value;
  }
  return parameters;
}
