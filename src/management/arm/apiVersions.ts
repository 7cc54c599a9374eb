import { armErrors } from './errors.js';

/**
 * The api-versions each resource type really has in Azure, newest first (ARM lists them that
 * way in its error). Shapes do not vary by version here: every version gets the newest shape,
 * which is a superset of the older ones.
 */
export const apiVersions = {
  subscriptions: ['2022-12-01', '2020-01-01', '2019-11-01', '2016-06-01'],
  resourceGroups: [
    '2025-04-01',
    '2025-03-01',
    '2025-01-01',
    '2024-11-01',
    '2024-07-01',
    '2024-03-01',
    '2023-07-01',
    '2022-09-01',
    '2021-04-01',
    '2021-01-01',
    '2020-10-01',
    '2020-08-01',
    '2020-06-01',
    '2019-10-01',
  ],
  roleAssignments: ['2022-04-01', '2020-04-01-preview', '2018-01-01-preview', '2015-07-01'],
  roleDefinitions: ['2022-05-01-preview', '2022-04-01', '2018-01-01-preview', '2015-07-01'],
  denyAssignments: ['2022-04-01', '2018-07-01-preview'],
  permissions: ['2022-04-01', '2018-01-01-preview', '2015-07-01'],
  checkAccess: ['2021-06-01-preview'],
  configurationStores: ['2024-05-01', '2023-03-01', '2022-05-01', '2020-06-01', '2019-10-01'],
  mediaservices: ['2023-01-01', '2021-11-01', '2021-06-01', '2018-07-01', '2015-10-01'],
  userAssignedIdentities: [
    '2024-11-30',
    '2023-07-31-preview',
    '2023-01-31',
    '2022-01-31-preview',
    '2021-09-30-preview',
    '2018-11-30',
    '2015-08-31-preview',
  ],
} as const satisfies Record<string, readonly string[]>;

export type VersionedApi = keyof typeof apiVersions;

/** The request's `api-version`, checked against the versions of the API it calls. */
export function checkApiVersion(query: Record<string, unknown>, api: VersionedApi): string {
  const raw = query['api-version'];
  const version = Array.isArray(raw) ? raw[0] : raw;
  if (typeof version !== 'string' || version === '') throw armErrors.missingApiVersion();
  const supported: readonly string[] = apiVersions[api];
  if (!supported.includes(version)) throw armErrors.invalidApiVersion(version, supported);
  return version;
}
