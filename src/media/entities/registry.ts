import { accessPolicies } from './accessPolicies.js';
import { assetDeliveryPolicies } from './assetDeliveryPolicies.js';
import { assets } from './assets.js';
import { channels } from './channels.js';
import { contentKeys } from './contentKeys.js';
import { encodingReservedUnitTypes } from './encodingReservedUnitTypes.js';
import { files } from './files.js';
import { jobs, tasks } from './jobs.js';
import { locators } from './locators.js';
import { mediaProcessors } from './mediaProcessors.js';
import { notificationEndPoints } from './notificationEndPoints.js';
import { operations } from './operations.js';
import { programs } from './programs.js';
import type { EntitySetRules } from './rules.js';
import { storageAccounts } from './storageAccounts.js';
import { storedSet } from './stored.js';
import { streamingEndpoints } from './streamingEndpoints.js';

/** Every entity set's rules; a set not listed here is read-only and empty. */
export const RULES: ReadonlyMap<string, EntitySetRules> = new Map(
  (
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
      storedSet('JobTemplates', {
        required: ['Name'],
        serverSet: ['NumberofInputAssets'],
        navigations: { TaskTemplates: { kind: 'link', set: 'TaskTemplates', writable: true } },
      }),
      storedSet('TaskTemplates', { required: ['Name'] }),
      storedSet('IngestManifests', {
        required: ['Name'],
        defaults: { State: 0 },
        navigations: {
          IngestManifestAssets: {
            kind: 'foreignKey',
            set: 'IngestManifestAssets',
            property: 'ParentIngestManifestId',
          },
          // Nothing is ingested here: every asset of a manifest is still pending.
          PendingIngestManifestAssets: {
            kind: 'foreignKey',
            set: 'IngestManifestAssets',
            property: 'ParentIngestManifestId',
          },
          StorageAccount: { kind: 'reference', set: 'StorageAccounts', property: 'StorageAccountName' },
        },
      }),
      storedSet('IngestManifestAssets', {
        required: ['ParentIngestManifestId'],
        navigations: {
          IngestManifestFiles: {
            kind: 'foreignKey',
            set: 'IngestManifestFiles',
            property: 'ParentIngestManifestAssetId',
          },
          Asset: { kind: 'link', set: 'Assets', writable: true },
        },
      }),
      storedSet('IngestManifestFiles', { required: ['Name', 'ParentIngestManifestId'] }),
      storedSet('ContentKeyAuthorizationPolicies', {
        navigations: {
          Options: { kind: 'link', set: 'ContentKeyAuthorizationPolicyOptions', writable: true },
        },
      }),
      storedSet('ContentKeyAuthorizationPolicyOptions'),
      // Reads of the live sets; their writes are long-running (live/control/longRunningApi.ts).
      channels,
      programs,
      operations,
    ] satisfies EntitySetRules[]
  ).map((rules) => [rules.set, rules]),
);

export const rulesOf = (set: string): EntitySetRules => RULES.get(set) ?? { set };
