import { entityOf, listAllEntities, mediaRequest, odataString } from './mediaRequest.js';

export {
  MEDIA_HEADERS,
  entitiesOf,
  entityOf,
  listAllEntities,
  mediaAccountName,
  mediaRequest,
  odataString,
} from './mediaRequest.js';
import type { Json } from './json.js';
import { text } from './json.js';

/**
 * The Media Services v2 entities the portal shows (assets, their files, jobs and tasks) and the
 * calls it makes on them, in the shapes the REST API documents. Uploading is in mediaUpload.ts.
 */

const int = (value: unknown): number => {
  // Edm.Int64 arrives as a string in OData v3 JSON; Int32 and Double as numbers.
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : 0;
};
const key = (set: string, id: string): string => `${set}(${encodeURIComponent(odataString(id))})`;

/** AssetState: Deleted assets are never listed by the service. */
export const ASSET_STATES = ['Initialized', 'Published', 'Deleted'] as const;
/** JobState and TaskState share their values. */
export const JOB_STATES = [
  'Queued',
  'Scheduled',
  'Processing',
  'Finished',
  'Error',
  'Canceled',
  'Canceling',
] as const;
export type JobStateName = (typeof JOB_STATES)[number];
/** The states a job can still move from on its own: the dashboard polls while any job is in one. */
export const ACTIVE_STATES: ReadonlySet<JobStateName> = new Set([
  'Queued',
  'Scheduled',
  'Processing',
  'Canceling',
]);

export const jobStateName = (state: number): JobStateName => JOB_STATES[state] ?? 'Queued';

export interface Asset {
  id: string;
  name: string;
  created: string;
  state: string;
}

export interface AssetFile {
  id: string;
  name: string;
  assetId: string;
  size: number;
  mimeType: string;
  isPrimary: boolean;
}

export interface ErrorDetail {
  code: string;
  message: string;
}

export interface Task {
  id: string;
  name: string;
  state: JobStateName;
  /** 0–100. */
  progress: number;
  errors: ErrorDetail[];
  configuration: string;
  startTime: string;
  endTime: string;
}

export interface Job {
  id: string;
  name: string;
  state: JobStateName;
  created: string;
  startTime: string;
  endTime: string;
}

const assetOf = (e: Json): Asset => ({
  id: text(e['Id']),
  name: text(e['Name']),
  created: text(e['Created']),
  state: ASSET_STATES[int(e['State'])] ?? String(e['State']),
});

const fileOf = (e: Json): AssetFile => ({
  id: text(e['Id']),
  name: text(e['Name']),
  assetId: text(e['ParentAssetId']),
  size: int(e['ContentFileSize']),
  mimeType: text(e['MimeType']),
  isPrimary: e['IsPrimary'] === true,
});

const errorsOf = (value: unknown): ErrorDetail[] =>
  (Array.isArray(value) ? value : []).map((d: unknown) => {
    const detail = (typeof d === 'object' && d !== null ? d : {}) as Json;
    return { code: text(detail['Code']), message: text(detail['Message']) };
  });

const taskOf = (e: Json): Task => ({
  id: text(e['Id']),
  name: text(e['Name']),
  state: jobStateName(int(e['State'])),
  progress: Math.max(0, Math.min(100, int(e['Progress']))),
  errors: errorsOf(e['ErrorDetails']),
  configuration: text(e['Configuration']),
  startTime: text(e['StartTime']),
  endTime: text(e['EndTime']),
});

const jobOf = (e: Json): Job => ({
  id: text(e['Id']),
  name: text(e['Name']),
  state: jobStateName(int(e['State'])),
  created: text(e['Created']),
  startTime: text(e['StartTime']),
  endTime: text(e['EndTime']),
});

const list = listAllEntities;

const create = async (account: string, set: string, body: Json): Promise<Json> =>
  entityOf((await mediaRequest(account, set, { method: 'POST', body })).body);

// Assets and files

export const listAssets = async (account: string): Promise<Asset[]> =>
  (await list(account, 'Assets')).map(assetOf);

/** Every file of the account in one call (the list of assets sums them per asset). */
export const listFiles = async (account: string): Promise<AssetFile[]> =>
  (await list(account, 'Files')).map(fileOf);

export const listAssetFiles = async (account: string, assetId: string): Promise<AssetFile[]> =>
  (await list(account, `${key('Assets', assetId)}/Files`)).map(fileOf);

export async function createAsset(account: string, name: string): Promise<Asset> {
  // Options 0: no storage encryption; the bytes are uploaded as they are.
  return assetOf(await create(account, 'Assets', { Name: name, Options: 0 }));
}

export async function deleteAsset(account: string, assetId: string): Promise<void> {
  await mediaRequest(account, key('Assets', assetId), { method: 'DELETE' });
}

/** The service records the blobs an upload put in the asset's container as its Files. */
export async function createFileInfos(account: string, assetId: string): Promise<void> {
  await mediaRequest(account, `CreateFileInfos?assetid=${encodeURIComponent(odataString(assetId))}`);
}

// Access policies and locators

/** AccessPermissions: Read 1, Write 2, Delete 4, List 8. */
export const Permission = { Read: 1, Write: 2, Delete: 4, List: 8 } as const;
/** LocatorType: SAS 1 (the asset's blob container), OnDemandOrigin 2 (the streaming origin). */
export const LocatorType = { Sas: 1, OnDemandOrigin: 2 } as const;

export interface Locator {
  id: string;
  type: number;
  /** SAS: the container URL with its SAS query; origin: the streaming URL ending in `/`. */
  path: string;
  baseUri: string;
  contentAccessComponent: string;
  expires: string;
  accessPolicyId: string;
}

const locatorOf = (e: Json): Locator => ({
  id: text(e['Id']),
  type: int(e['Type']),
  path: text(e['Path']),
  baseUri: text(e['BaseUri']),
  contentAccessComponent: text(e['ContentAccessComponent']),
  expires: text(e['ExpirationDateTime']),
  accessPolicyId: text(e['AccessPolicyId']),
});

export async function createAccessPolicy(
  account: string,
  name: string,
  permissions: number,
  minutes: number,
): Promise<string> {
  const policy = await create(account, 'AccessPolicies', {
    Name: name,
    DurationInMinutes: minutes,
    Permissions: permissions,
  });
  return text(policy['Id']);
}

export async function createLocator(
  account: string,
  assetId: string,
  accessPolicyId: string,
  type: number,
): Promise<Locator> {
  // Started a minute ago, as the samples do, so a clock a little behind the server's can use it.
  const start = new Date(Date.now() - 60_000).toISOString();
  return locatorOf(
    await create(account, 'Locators', {
      AccessPolicyId: accessPolicyId,
      AssetId: assetId,
      StartTime: start,
      Type: type,
    }),
  );
}

export const deleteLocator = async (account: string, locatorId: string): Promise<void> => {
  await mediaRequest(account, key('Locators', locatorId), { method: 'DELETE' });
};

export const deleteAccessPolicy = async (account: string, policyId: string): Promise<void> => {
  await mediaRequest(account, key('AccessPolicies', policyId), { method: 'DELETE' });
};

export const listAssetLocators = async (account: string, assetId: string): Promise<Locator[]> =>
  (await list(account, `${key('Assets', assetId)}/Locators`)).map(locatorOf);

/** A streaming locator lasts a year: publishing is meant to be left in place. */
const PUBLISH_MINUTES = 525_600;

/**
 * The asset's streaming (OnDemandOrigin) locator that is still valid, or a new one with a
 * read policy: publishing twice does not pile up locators.
 */
export async function publishAsset(account: string, assetId: string): Promise<Locator> {
  const now = Date.now();
  const existing = (await listAssetLocators(account, assetId)).find(
    (l) => l.type === LocatorType.OnDemandOrigin && (!l.expires || Date.parse(l.expires) > now),
  );
  if (existing) return existing;
  const policy = await createAccessPolicy(account, 'Portal streaming', Permission.Read, PUBLISH_MINUTES);
  return createLocator(account, assetId, policy, LocatorType.OnDemandOrigin);
}

/** The HLS manifest of a published asset: the origin locator's path, its .ism, the format. */
export const hlsManifestUrl = (locator: Locator, ismName: string): string =>
  `${locator.path}${encodeURIComponent(ismName)}/manifest(format=m3u8-aapl)`;

// Encoding

/** Media Encoder Standard, by name: the newest version the account offers. */
export async function mediaEncoderStandardId(account: string): Promise<string> {
  const filter = encodeURIComponent(`Name eq ${odataString('Media Encoder Standard')}`);
  const processors = await list(account, `MediaProcessors?$filter=${filter}`);
  const newest = processors
    .map((p) => ({ id: text(p['Id']), version: text(p['Version']) }))
    .sort((a, b) => b.version.localeCompare(a.version, undefined, { numeric: true }))[0];
  if (!newest) throw new Error('This account offers no Media Encoder Standard processor.');
  return newest.id;
}

/** The task body of one encoding task: the job's first input to its first output, named. */
const taskBody = (outputName: string): string =>
  '<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset>' +
  `<outputAsset assetName="${escapeXml(outputName)}">JobOutputAsset(0)</outputAsset></taskBody>`;

const escapeXml = (value: string): string => value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Submits a job with one Media Encoder Standard task encoding the asset with a system preset. */
export async function submitEncodingJob(
  account: string,
  input: Asset,
  preset: string,
  jobName: string,
): Promise<Job> {
  const processor = await mediaEncoderStandardId(account);
  const job = await create(account, 'Jobs', {
    Name: jobName,
    'InputMediaAssets@odata.bind': [key('Assets', input.id)],
    Tasks: [
      {
        Name: `${preset}: ${input.name}`,
        Configuration: preset,
        MediaProcessorId: processor,
        TaskBody: taskBody(`${input.name} (${preset})`),
      },
    ],
  });
  return jobOf(job);
}

export const listJobs = async (account: string): Promise<Job[]> => (await list(account, 'Jobs')).map(jobOf);

export const listJobTasks = async (account: string, jobId: string): Promise<Task[]> =>
  (await list(account, `${key('Jobs', jobId)}/Tasks`)).map(taskOf);

export const listJobAssets = async (
  account: string,
  jobId: string,
  which: 'InputMediaAssets' | 'OutputMediaAssets',
): Promise<Asset[]> => (await list(account, `${key('Jobs', jobId)}/${which}`)).map(assetOf);

export async function cancelJob(account: string, jobId: string): Promise<void> {
  await mediaRequest(account, `CancelJob?jobid=${encodeURIComponent(odataString(jobId))}`);
}

/**
 * The presets Tessera's Media Encoder Standard takes by name (src/media/encoding/systemPresets.ts):
 * the adaptive one first, since only a multi-bitrate output streams well.
 */
export const ENCODING_PRESETS = [
  'Adaptive Streaming',
  'Content Adaptive Multiple Bitrate MP4',
  'H264 Multiple Bitrate 720p',
  'H264 Multiple Bitrate 1080p',
  'H264 Single Bitrate 720p',
  'H264 Single Bitrate 16x9 SD',
  'AAC Good Quality Audio',
] as const;
