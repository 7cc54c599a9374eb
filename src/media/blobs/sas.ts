import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Container shared access signatures, version 2012-02-12: what a Media Services SAS locator hands
 * out and the one credential the blob endpoint accepts. The URL names a stored grant (`si`, the
 * locator) whose permissions and times are the authority; `sp`, `st` and `se` ride along for clients
 * to read and, when present, must say what the grant says.
 */

export const Permission = { Read: 1, Write: 2, Delete: 4, List: 8 } as const;

export interface SasGrant {
  /** The value of `si`: the locator's guid. */
  locatorId: string;
  container: string;
  /** Bits of `Permission`. */
  permissions: number;
  /** Epoch ms; null means valid from creation. */
  startTime: number | null;
  /** Epoch ms, exclusive. */
  expiry: number;
}

export const SAS_VERSION = '2012-02-12';
/** Clocks differ: a start this far in the future is already accepted, as the service allows. */
export const START_SKEW_MS = 5 * 60 * 1000;

const LETTERS: ReadonlyArray<[number, string]> = [
  [Permission.Read, 'r'],
  [Permission.Write, 'w'],
  [Permission.Delete, 'd'],
  [Permission.List, 'l'],
];

/** `sp` in the service's required order (r, w, d, l). */
export const permissionString = (permissions: number): string =>
  LETTERS.filter(([bit]) => (permissions & bit) !== 0)
    .map(([, letter]) => letter)
    .join('');

/** ISO 8601 to the second, as the service writes SAS times. */
export const sasTime = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

interface SignedFields {
  sp: string;
  st: string;
  se: string;
  si: string;
  sv: string;
}

/** The 2012-02-12 string-to-sign of a container SAS; its resource has no `/blob` prefix before 2015-02-21. */
const stringToSign = (accountName: string, container: string, f: SignedFields): string =>
  [f.sp, f.st, f.se, `/${accountName}/${container}`, f.si, f.sv].join('\n');

const sign = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();

function grantFields(grant: SasGrant): SignedFields {
  return {
    sp: permissionString(grant.permissions),
    st: grant.startTime === null ? '' : sasTime(grant.startTime),
    se: sasTime(grant.expiry),
    si: grant.locatorId,
    sv: SAS_VERSION,
  };
}

/** The ContentAccessComponent of a SAS locator: `?sv=…&sr=c&si=…&sig=…[&st=…]&se=…&sp=…`. */
export function containerSas(accountName: string, grant: SasGrant, key: Buffer): string {
  const fields = grantFields(grant);
  const sig = sign(key, stringToSign(accountName, grant.container, fields)).toString('base64');
  const parts = [
    `sv=${fields.sv}`,
    'sr=c',
    `si=${encodeURIComponent(fields.si)}`,
    `sig=${encodeURIComponent(sig)}`,
  ];
  if (fields.st) parts.push(`st=${encodeURIComponent(fields.st)}`);
  parts.push(`se=${encodeURIComponent(fields.se)}`, `sp=${fields.sp}`);
  return `?${parts.join('&')}`;
}

/** The SAS parameters of a request, as sent (decoded once by the query parser). */
export interface SasToken {
  sv: string;
  sr: string;
  si: string;
  sig: string;
  sp?: string;
  st?: string;
  se?: string;
}

const SAS_PARAMETERS = ['sv', 'sr', 'si', 'sig', 'sp', 'st', 'se', 'spr', 'sip', 'srt', 'ss', 'skoid', 'sdd'];

export type SasReading =
  /** No SAS parameter at all: an anonymous request. */
  { kind: 'anonymous' } | { kind: 'token'; token: SasToken } | { kind: 'invalid'; detail: string };

/** Picks the SAS out of a parsed query string. A parameter given twice, or a missing one, is invalid. */
export function readSas(query: Readonly<Record<string, string | string[] | undefined>>): SasReading {
  if (!SAS_PARAMETERS.some((name) => query[name] !== undefined)) return { kind: 'anonymous' };
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) throw new Error(`${name} is given more than once.`);
    return value;
  };
  try {
    const [sv, sr, si, sig, sp, st, se] = ['sv', 'sr', 'si', 'sig', 'sp', 'st', 'se'].map(one);
    for (const [name, value] of [
      ['sv', sv],
      ['sr', sr],
      ['si', si],
      ['sig', sig],
    ] as const) {
      if (!value) return { kind: 'invalid', detail: `${name} is mandatory. Cannot be empty` };
    }
    // A `+` that was not percent-encoded arrives as a space; base64 never holds one.
    const token: SasToken = { sv: sv!, sr: sr!, si: si!, sig: sig!.replace(/ /g, '+') };
    if (sp !== undefined) token.sp = sp;
    if (st !== undefined) token.st = st;
    if (se !== undefined) token.se = se;
    return { kind: 'token', token };
  } catch (error) {
    return { kind: 'invalid', detail: (error as Error).message };
  }
}

export type SasVerdict =
  | { ok: true }
  | { ok: false; code: 'AuthenticationFailed' | 'AuthorizationPermissionMismatch'; detail: string };

export interface SasCheck {
  accountName: string;
  container: string;
  token: SasToken;
  grant: SasGrant;
  key: Buffer;
  /** Bits of `Permission` the operation needs. */
  required: number;
  now: number;
}

const httpDate = (ms: number): string => new Date(ms).toUTCString();
const failed = (detail: string): SasVerdict => ({ ok: false, code: 'AuthenticationFailed', detail });

/**
 * Checks a request's SAS against the stored grant its `si` names: version and resource type, the
 * grant's container, the HMAC-SHA256 signature (compared in constant time), the fields the URL
 * repeats, the validity window, then the operation's permission.
 */
export function verifySas(check: SasCheck): SasVerdict {
  const { token, grant } = check;
  if (token.sv !== SAS_VERSION)
    return failed(`Signed version ${token.sv} is not supported; use ${SAS_VERSION}.`);
  if (token.sr !== 'c') return failed(`Signed resource ${token.sr} is not supported; use c.`);
  if (grant.container !== check.container || grant.locatorId !== token.si) {
    return failed('The signed identifier does not name an access policy of this container.');
  }
  const signed: SignedFields = {
    sp: token.sp ?? '',
    st: token.st ?? '',
    se: token.se ?? '',
    si: token.si,
    sv: token.sv,
  };
  const text = stringToSign(check.accountName, check.container, signed);
  const expected = sign(check.key, text);
  const given = Buffer.from(token.sig, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return failed(`Signature did not match. String to sign used was ${text}`);
  }
  const stored = grantFields(grant);
  for (const name of ['sp', 'st', 'se'] as const) {
    const value = token[name];
    if (value !== undefined && value !== stored[name]) {
      return failed(`The ${name} of the signature does not match the access policy ${grant.locatorId}.`);
    }
  }
  const start = grant.startTime ?? Number.NEGATIVE_INFINITY;
  if (check.now < start - START_SKEW_MS || check.now >= grant.expiry) {
    const from = grant.startTime === null ? '' : httpDate(grant.startTime);
    return failed(
      `Signature not valid in the specified time frame: Start [${from}] - Expiry [${httpDate(grant.expiry)}] - Current [${httpDate(check.now)}]`,
    );
  }
  if ((grant.permissions & check.required) !== check.required) {
    return {
      ok: false,
      code: 'AuthorizationPermissionMismatch',
      detail: `The access policy grants ${permissionString(grant.permissions) || 'no permission'}; the operation needs ${permissionString(check.required)}.`,
    };
  }
  return { ok: true };
}
