import { aadsts } from './errors.js';

/** Client assertions with an x5c chain are a few KB; 64 KiB leaves room and bounds abuse. */
export const TOKEN_BODY_LIMIT = 64 * 1024;

const FORM = 'application/x-www-form-urlencoded';

/**
 * Token endpoints read only form bodies, as Entra does: any other content type reads as an
 * empty form, so the client hears which parameter is missing rather than a parser error.
 * Decoding is strict (URLSearchParams would quietly turn bad escapes into U+FFFD, and a
 * secret altered that way must not reach the comparison as if it had been sent).
 */
export function parseTokenForm(contentType: string | undefined, body: string): Map<string, string> {
  const params = new Map<string, string>();
  if (!contentType?.toLowerCase().startsWith(FORM)) return params;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (params.has(name)) throw aadsts.duplicateParameter(name);
    params.set(name, value);
  }
  return params;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw aadsts.malformedBody();
  }
}
