import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ConfigurationStoreKeys } from '../../management/configurationStoreKeys.js';
import { appConfigErrors } from '../errors.js';
import type { AccessKeyCaller } from './caller.js';
import type { AuthenticationRequest, Authenticator, Outcome } from './chain.js';
import { challenges, hmacDescriptions } from './challenges.js';
import { parseHmacParameters } from './hmacParameters.js';

/** How far x-ms-date (or Date) may be from the server's clock, either way. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const SCHEME = /^HMAC-SHA256(?:\s+(.*))?$/is;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const NOT_MINE: Outcome = { kind: 'notMine' };

const fail = (description: string): Outcome => ({
  kind: 'fail',
  error: appConfigErrors.unauthorized(challenges.hmac(description)),
});

const headerText = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(', ') : value;

/** Which signed header dates the request, and what the signed headers must include. */
function missingRequiredHeader(signed: readonly string[]): string | undefined {
  if (!signed.includes('x-ms-date') && !signed.includes('date')) return 'x-ms-date';
  if (!signed.includes('host')) return 'host';
  if (!signed.includes('x-ms-content-sha256')) return 'x-ms-content-sha256';
  return undefined;
}

function dateOf(signed: readonly string[], headers: IncomingHttpHeaders): number {
  const text = headerText(signed.includes('x-ms-date') ? headers['x-ms-date'] : headers.date);
  return text === undefined ? NaN : Date.parse(text);
}

/**
 * HMAC-SHA256 with a store's access key, as documented: the string to sign is
 * `VERB\npath_and_query\n` + the signed headers' values joined by ';', keyed with the
 * base64-decoded secret. The body is checked against x-ms-content-sha256 once it has been read
 * (`checkContent`), so an anonymous or badly signed request is refused before its body is read.
 */
export class HmacAuthenticator implements Authenticator {
  constructor(
    private readonly keys: Pick<ConfigurationStoreKeys, 'findById'>,
    private readonly now: () => number = Date.now,
  ) {}

  authenticate(request: AuthenticationRequest): Outcome | Promise<Outcome> {
    const match = SCHEME.exec(request.headers.authorization ?? '');
    if (!match) return NOT_MINE;
    return this.check(request, match[1] ?? '');
  }

  private async check(request: AuthenticationRequest, parametersText: string): Promise<Outcome> {
    if (request.store.disableLocalAuth) return fail(hmacDescriptions.disabled);
    const { credential, signedHeaders, signature } = parseHmacParameters(parametersText);
    if (!credential) return fail(hmacDescriptions.required('Credential'));
    if (!signedHeaders || signedHeaders.length === 0) return fail(hmacDescriptions.required('SignedHeaders'));
    if (!signature) return fail(hmacDescriptions.required('Signature'));

    const required = missingRequiredHeader(signedHeaders);
    if (required) return fail(hmacDescriptions.mustBeSigned(required));
    const absent = signedHeaders.find((h) => request.headers[h] === undefined);
    if (absent) return fail(hmacDescriptions.headerNotProvided(absent));

    const date = dateOf(signedHeaders, request.headers);
    if (Number.isNaN(date)) return fail(hmacDescriptions.invalidDate);
    if (Math.abs(this.now() - date) > MAX_SKEW_MS) return fail(hmacDescriptions.expired);

    const found = await this.keys.findById(credential);
    if (!found || found.storeNameLower !== request.store.nameLower)
      return fail(hmacDescriptions.invalidCredential);

    const values = signedHeaders.map((h) => headerText(request.headers[h]) ?? '');
    const stringToSign = `${request.method.toUpperCase()}\n${request.target}\n${values.join(';')}`;
    const expected = createHmac('sha256', Buffer.from(found.key.value, 'base64'))
      .update(stringToSign)
      .digest();
    const given = BASE64.test(signature) ? Buffer.from(signature, 'base64') : Buffer.alloc(0);
    // Lengths are not secret (an HMAC-SHA256 is always 32 bytes); the comparison of equal
    // lengths runs in constant time.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return fail(hmacDescriptions.invalidSignature);
    }
    const caller: AccessKeyCaller = {
      kind: 'accessKey',
      keyId: found.key.id,
      readOnly: found.key.readOnly,
      contentSha256: headerText(request.headers['x-ms-content-sha256']) ?? '',
    };
    return { kind: 'pass', caller };
  }
}

/** The second half of HMAC: the body read must be the one that was signed. */
export function checkContent(caller: AccessKeyCaller, body: Buffer | undefined): void {
  const hash = createHash('sha256')
    .update(body ?? Buffer.alloc(0))
    .digest('base64');
  if (hash !== caller.contentSha256) {
    throw appConfigErrors.unauthorized(challenges.hmac(hmacDescriptions.invalidContentHash));
  }
}
