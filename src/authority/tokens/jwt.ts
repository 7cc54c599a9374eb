import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

const segment = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * RS256 compact JWS with node:crypto and a cached KeyObject. The RSA operation is the token
 * endpoint's largest cost, so it runs in libuv's thread pool (the callback form of `sign`):
 * the event loop keeps serving TLS and HTTP while other cores sign.
 */
export function signRs256(header: object, payload: object, key: KeyObject): Promise<string> {
  const input = `${segment(header)}.${segment(payload)}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(input), key, (error, signature) => {
      if (error) reject(error);
      else resolve(`${input}.${signature.toString('base64url')}`);
    });
  });
}
