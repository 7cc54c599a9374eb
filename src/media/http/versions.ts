import { mediaErrors } from '../errors.js';

export { responseDataServiceVersion } from '../odata/format.js';

/** `x-ms-version` (or `api-version` standing in for it): every 2.x the service ever answered. */
export function checkVersion(header: string | undefined, apiVersion: string | null): void {
  const version = header?.trim() || apiVersion?.trim() || undefined;
  if (version === undefined) throw mediaErrors.missingVersion();
  if (!/^2\.\d{1,2}$/.test(version)) throw mediaErrors.unsupportedVersion(version.slice(0, 32));
}
