import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

const segment = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * RS256 compact JWS with node:crypto and a cached KeyObject: the token endpoint's cost is this
 * one RSA operation, so nothing else may re-parse keys or re-encode the header per token.
 */
export function signRs256(header: object, payload: object, key: KeyObject): string {
  const input = `${segment(header)}.${segment(payload)}`;
  const signature = sign('sha256', Buffer.from(input), key).toString('base64url');
  return `${input}.${signature}`;
}
