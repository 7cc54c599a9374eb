import { accessPolicies } from './accessPolicies.js';
import { assetDeliveryPolicies } from './assetDeliveryPolicies.js';
import { assets } from './assets.js';
import { contentKeys } from './contentKeys.js';
import { encodingReservedUnitTypes } from './encodingReservedUnitTypes.js';
import { files } from './files.js';
import { jobs, tasks } from './jobs.js';
import { locators } from './locators.js';
import { mediaProcessors } from './mediaProcessors.js';
import { notificationEndPoints } from './notificationEndPoints.js';
import type { EntitySetRules } from './rules.js';
import { storageAccounts } from './storageAccounts.js';
import { storedSet } from './stored.js';
import { streamingEndpoints } from './streamingEndpoints.js';

/** Every entity set's rules; a set not listed here is read-only and empty. */
export const RULES: ReadonlyMap<string, EntitySetRules> = new Map(
  [
    assets,
    files,
    contentKeys,
    accessPolicies,
    locators,
    mediaProcessors,
    jobs,
    tasks,
    notificationEndPoints,
    assetDeliveryPolicies,
    encodingReservedUnitTypes,
    storageAccounts,
    streamingEndpoints,
    storedSet('JobTemplates', { required: ['Name'], serverSet: ['NumberofInputAssets'] }),
    storedSet('TaskTemplates', { required: ['Name'] }),
    storedSet('IngestManifests', { required: ['Name'], defaults: { State: 0 } }),
    storedSet('IngestManifestAssets', { required: ['ParentIngestManifestId'] }),
    storedSet('IngestManifestFiles', { required: ['Name', 'ParentIngestManifestId'] }),
    storedSet('ContentKeyAuthorizationPolicies'),
    storedSet('ContentKeyAuthorizationPolicyOptions'),
  ].map((rules) => [rules.set, rules]),
);

export const rulesOf = (set: string): EntitySetRules => RULES.get(set) ?? { set };
