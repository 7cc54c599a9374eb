import { base64url } from './encoding.js';

/** `bytes` random bytes as base64url: state, nonce, and (32 bytes, 43 characters) the verifier. */
export const randomToken = (bytes = 32): string => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** RFC 7636 §4.2 S256: BASE64URL(SHA-256(ASCII(verifier))). */
export async function s256Challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}
