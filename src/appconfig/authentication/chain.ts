import type { IncomingHttpHeaders } from 'node:http';
import type { AppConfigError } from '../errors.js';
import { appConfigErrors } from '../errors.js';
import type { DataPlaneStore } from '../stores.js';
import type { Caller } from './caller.js';
import { challenges } from './challenges.js';

export interface AuthenticationRequest {
  method: string;
  /** The request target exactly as sent (path and query): what an HMAC signature covers. */
  target: string;
  headers: IncomingHttpHeaders;
  store: DataPlaneStore;
}

/** Each scheme answers: it authenticated the request, it refused it, or the request is not its kind. */
export type Outcome =
  { kind: 'pass'; caller: Caller } | { kind: 'fail'; error: AppConfigError } | { kind: 'notMine' };

/** Schemes answer synchronously when they can (a scheme that is not theirs, a cached token). */
export interface Authenticator {
  authenticate(request: AuthenticationRequest): Outcome | Promise<Outcome>;
}

/**
 * Tries each scheme in turn; a request no scheme recognises is challenged with both. Stays
 * synchronous while the schemes do: every request goes through here.
 */
export function authenticate(
  chain: readonly Authenticator[],
  request: AuthenticationRequest,
  from = 0,
): Caller | Promise<Caller> {
  for (let i = from; i < chain.length; i++) {
    const outcome = chain[i]?.authenticate(request);
    if (outcome === undefined) break;
    if (outcome instanceof Promise) {
      return outcome.then((settled) => decide(settled) ?? authenticate(chain, request, i + 1));
    }
    const caller = decide(outcome);
    if (caller) return caller;
  }
  throw appConfigErrors.unauthorized(challenges.none);
}

function decide(outcome: Outcome): Caller | undefined {
  if (outcome.kind === 'pass') return outcome.caller;
  if (outcome.kind === 'fail') throw outcome.error;
  return undefined;
}
