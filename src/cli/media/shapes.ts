import { guidOf } from '../../media/ids.js';
import { JobState } from '../../media/jobs/states.js';
import type { WireEntity } from '../../media/mediaData.js';
import type { MediaServicesAccount } from '../../management/mediaServices.js';

/**
 * How v2 entities print, in the shapes of `az ams …` (camelCase keys, ARM `id`/`name`/`type`/
 * `resourceGroup`, datetimes as the Python SDK prints them). v2 names are not unique, so ARM ids
 * end in the entity's guid (which `--asset`, `--job` and `--locator` accept back); the v2 key
 * (`nb:cid:UUID:…`) is kept as `v2Id`, with the v2 fields az has no place for.
 */

const MEDIA_TYPE = 'Microsoft.Media/mediaservices';

/** A wire datetime (ISO, `Z`) as az prints one: `2026-04-01T10:00:00.123000+00:00`, or null. */
export function azTime(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const fraction = ms % 1000 === 0 ? '' : `.${iso.slice(20, 23)}000`;
  return `${iso.slice(0, 19)}${fraction}+00:00`;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const numberOf = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));
const guid = (id: unknown): string => guidOf(String(id)) ?? String(id);
const childId = (account: MediaServicesAccount, kind: string, id: unknown) =>
  `${account.id}/${kind}/${guid(id)}`;

const ASSET_STATES = ['Initialized', 'Published', 'Deleted'];
const ASSET_OPTIONS: Record<number, string> = {
  0: 'None',
  1: 'StorageEncrypted',
  2: 'CommonEncryptionProtected',
  4: 'EnvelopeEncryptionProtected',
};

/** `az ams asset show`'s fields; `storageEncryptionFormat` from v2 `Options` (StorageEncrypted). */
export const azAsset = (account: MediaServicesAccount, asset: WireEntity) => ({
  alternateId: text(asset.AlternateId),
  assetId: guid(asset.Id),
  container: `asset-${guid(asset.Id)}`,
  created: azTime(asset.Created),
  description: null,
  id: childId(account, 'assets', asset.Id),
  lastModified: azTime(asset.LastModified),
  name: text(asset.Name) ?? '',
  options: ASSET_OPTIONS[numberOf(asset.Options)] ?? String(asset.Options),
  resourceGroup: account.resourceGroup,
  state: ASSET_STATES[numberOf(asset.State)] ?? String(asset.State),
  storageAccountName: text(asset.StorageAccountName),
  storageEncryptionFormat: numberOf(asset.Options) === 1 ? 'MediaStorageClientEncryption' : 'None',
  type: `${MEDIA_TYPE}/assets`,
  uri: text(asset.Uri),
  v2Id: String(asset.Id),
});

/** A File of an asset (what `upload` made): its v2 fields in camelCase, the size as a number. */
export const azFile = (asset: WireEntity, file: WireEntity, contentMd5: string | null) => ({
  assetId: guid(asset.Id),
  assetName: text(asset.Name) ?? '',
  contentFileSize: numberOf(file.ContentFileSize),
  contentMd5,
  created: azTime(file.Created),
  isPrimary: file.IsPrimary === true,
  lastModified: azTime(file.LastModified),
  mimeType: text(file.MimeType),
  name: text(file.Name) ?? '',
  v2Id: String(file.Id),
});

const stateName = (state: unknown): string =>
  Object.entries(JobState).find(([, value]) => value === numberOf(state))?.[0] ?? String(state);

/** What a job's presentation needs besides the job: its tasks with their assets. */
export interface JobParts {
  inputs: WireEntity[];
  tasks: Array<{ task: WireEntity; outputs: WireEntity[] }>;
}

const inputAsset = (asset: WireEntity) => ({
  '@odata.type': '#Microsoft.Media.JobInputAsset',
  assetId: guid(asset.Id),
  assetName: text(asset.Name) ?? '',
  label: null,
});

function taskError(task: WireEntity) {
  const details = Array.isArray(task.ErrorDetails) ? (task.ErrorDetails as WireEntity[]) : [];
  const [first] = details;
  if (!first) return null;
  return {
    code: text(first.Code),
    message: text(first.Message),
    details: details.map((d) => ({ code: text(d.Code), message: text(d.Message) })),
  };
}

/**
 * `az ams job show`'s fields. v2 has no transforms: the preset rides on each output (one per task
 * output asset), with that task's state, progress, times and error, as v3 reports per output.
 * `priority` stays v2's number (higher runs first).
 */
export const azJob = (account: MediaServicesAccount, job: WireEntity, parts: JobParts) => ({
  created: azTime(job.Created),
  endTime: azTime(job.EndTime),
  id: childId(account, 'jobs', job.Id),
  input:
    parts.inputs.length === 1 && parts.inputs[0]
      ? inputAsset(parts.inputs[0])
      : { '@odata.type': '#Microsoft.Media.JobInputs', inputs: parts.inputs.map(inputAsset) },
  jobId: guid(job.Id),
  lastModified: azTime(job.LastModified),
  name: text(job.Name) ?? '',
  outputs: parts.tasks.flatMap(({ task, outputs }) =>
    outputs.map((asset) => ({
      '@odata.type': '#Microsoft.Media.JobOutputAsset',
      assetId: guid(asset.Id),
      assetName: text(asset.Name) ?? '',
      endTime: azTime(task.EndTime),
      error: taskError(task),
      label: text(task.Name),
      preset: text(task.Configuration),
      progress: numberOf(task.Progress),
      startTime: azTime(task.StartTime),
      state: stateName(task.State),
    })),
  ),
  priority: numberOf(job.Priority),
  resourceGroup: account.resourceGroup,
  runningDuration: numberOf(job.RunningDuration),
  startTime: azTime(job.StartTime),
  state: stateName(job.State),
  type: `${MEDIA_TYPE}/jobs`,
  v2Id: String(job.Id),
});

const PERMISSION_NAMES: Array<[number, string]> = [
  [1, 'Read'],
  [2, 'Write'],
  [4, 'Delete'],
  [8, 'List'],
];

export const permissionNames = (bits: number): string =>
  PERMISSION_NAMES.filter(([bit]) => (bits & bit) !== 0)
    .map(([, name]) => name)
    .join(',') || 'None';

/** Where a locator's content is: URLs of files, and of the streaming formats of each `.ism`. */
export interface LocatorPaths {
  downloadPaths: string[];
  streamingPaths: Array<{ encryptionScheme: string; paths: string[]; streamingProtocol: string }>;
}

/** The URLs of a locator, as `az ams streaming-locator get-paths` lists them but absolute. */
export function locatorPaths(locator: WireEntity, files: readonly WireEntity[]): LocatorPaths {
  const names = files.map((f) => String(f.Name)).sort();
  const baseUri = String(locator.BaseUri);
  const access = String(locator.ContentAccessComponent);
  if (numberOf(locator.Type) !== 2) {
    return {
      downloadPaths: names.map((name) => `${baseUri}/${encodeURIComponent(name)}${access}`),
      streamingPaths: [],
    };
  }
  const path = String(locator.Path);
  const manifests = names
    .filter((name) => /\.ism$/i.test(name))
    .map((name) => `${path}${encodeURIComponent(name)}`);
  const protocol = (streamingProtocol: string, suffix: string) => ({
    encryptionScheme: 'NoEncryption',
    paths: manifests.map((m) => `${m}/manifest${suffix}`),
    streamingProtocol,
  });
  return {
    downloadPaths: names
      .filter((name) => /\.(mp4|m4a|mp3|jpg|jpeg|png|bmp|gif|vtt|ttml)$/i.test(name))
      .map((name) => `${path}${encodeURIComponent(name)}`),
    streamingPaths:
      manifests.length === 0
        ? []
        : [
            protocol('Hls', '(format=m3u8-aapl)'),
            protocol('Dash', '(format=mpd-time-csf)'),
            protocol('SmoothStreaming', ''),
          ],
  };
}

/**
 * A locator: `az ams streaming-locator show`'s fields for an OnDemandOrigin locator (type
 * `…/streamingLocators`), the same for a SAS locator (type `…/locators`, v3 has none), with the v2
 * `path`, `baseUri`, `contentAccessComponent` and the URLs of `locatorPaths`.
 */
export const azLocator = (
  account: MediaServicesAccount,
  locator: WireEntity,
  asset: WireEntity,
  paths: LocatorPaths,
  permissions: number | undefined,
) => {
  const streaming = numberOf(locator.Type) === 2;
  return {
    accessPolicyId: text(locator.AccessPolicyId),
    assetId: guid(asset.Id),
    assetName: text(asset.Name) ?? '',
    baseUri: text(locator.BaseUri),
    contentAccessComponent: text(locator.ContentAccessComponent),
    downloadPaths: paths.downloadPaths,
    endTime: azTime(locator.ExpirationDateTime),
    id: childId(account, streaming ? 'streamingLocators' : 'locators', locator.Id),
    locatorType: streaming ? 'OnDemandOrigin' : 'Sas',
    name: text(locator.Name) ?? '',
    path: text(locator.Path),
    permissions: permissions === undefined ? null : permissionNames(permissions),
    resourceGroup: account.resourceGroup,
    startTime: azTime(locator.StartTime),
    streamingLocatorId: guid(locator.Id),
    streamingPaths: paths.streamingPaths,
    type: `${MEDIA_TYPE}/${streaming ? 'streamingLocators' : 'locators'}`,
    v2Id: String(locator.Id),
  };
};
