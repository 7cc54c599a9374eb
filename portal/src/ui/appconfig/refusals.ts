import { ApiError } from '../../api/apiError.js';
import type { KeyValue } from '../../api/appConfiguration.js';
import { messageOf } from '../components/Alert.js';

/**
 * What the portal says around the store's refusals. App Configuration answers 403 and 412 with no
 * body (as the service does), so the API's own text is kept and what it means is added.
 */
const ROLE_HINT =
  'App Configuration decides by data roles on the store: reading needs App Configuration Data Reader, ' +
  'changing needs App Configuration Data Owner (Owner and Contributor give no data access). An Owner ' +
  'of the store grants them under Access control (IAM).';

export const isConflict = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.status === 412;

/**
 * The store's answer as it gave it: its status, and its own text when it sent one (403 and 412
 * come with an empty body, which apiErrorOf words as "no error message").
 */
export function storeAnswer(error: ApiError, reason: string): string {
  const ownText = !/^The server answered \d+ with no error message\.$/.test(error.message);
  return `The store answered ${error.status} ${reason}${ownText ? `: ${error.message}` : ', with no message.'}`;
}

/** Any error's text, with what a 403 means for the person. */
export const explain = (error: unknown): string =>
  error instanceof ApiError && error.status === 403
    ? `${storeAnswer(error, 'Forbidden')} ${ROLE_HINT}`
    : messageOf(error);

/** A load or an action whose failure is explained (for useLoad and useSubmit, which keep text only). */
export async function explained<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new Error(explain(error));
  }
}

/** "key 'a:b' (label 'prod')", "key 'a:b' (no label)". */
export const describeItem = (kv: Pick<KeyValue, 'key' | 'label'>): string =>
  `'${kv.key}' ${kv.label === null ? '(no label)' : `(label '${kv.label}')`}`;

/** The ETag conflict: someone else's write came between reading and saving. */
export const conflictMessage = (what: string, error: ApiError): string =>
  `Someone changed ${what} since you opened it, so your change was not saved: its ETag no longer ` +
  `matches the one you started from. ${storeAnswer(error, 'Precondition Failed')}`;

export const labelText = (label: string | null): string => (label === null ? '(no label)' : label);

/** ISO time as the person's locale shows it. */
export function timeText(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
