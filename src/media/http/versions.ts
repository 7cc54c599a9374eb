import { mediaErrors } from '../errors.js';

/** `x-ms-version` (or `api-version` standing in for it): every 2.x the service ever answered. */
export function checkVersion(header: string | undefined, apiVersion: string | null): void {
  const version = header?.trim() || apiVersion?.trim() || undefined;
  if (version === undefined) throw mediaErrors.missingVersion();
  if (!/^2\.\d{1,2}$/.test(version)) throw mediaErrors.unsupportedVersion(version.slice(0, 32));
}

/**
 * The DataServiceVersion of the response: the highest the client accepts, 3.0 when it does not
 * say (`MaxDataServiceVersion: 1.0;NetFx`, `2.0`, `3.0`).
 */
export function responseDataServiceVersion(max: string | undefined): '1.0' | '2.0' | '3.0' {
  const major = Number.parseFloat(max ?? '3.0');
  if (major >= 3 || Number.isNaN(major)) return '3.0';
  return major >= 2 ? '2.0' : '1.0';
}
