import type { ResourcePath } from './odata/resourcePath.js';

/**
 * The ARM action each v2 operation stands for. The v2 service itself only knew "Contributor or
 * Owner on the account"; Media Services' RBAC (its built-in roles, custom roles) is written in the
 * actions of the ARM API that replaced it, on the same account. So each v2 entity set is mapped to
 * the ARM resource type that took its place, and the HTTP verb to read, write or delete, giving an
 * action that `Microsoft.Media/mediaservices/*` (and Owner's and Contributor's `*`) grants and that
 * each Media Services role grants exactly where its description says it may act:
 *
 *   Assets, Files, IngestManifest*            assets                 (Media Operator, Live Events Admin.)
 *   Locators, AccessPolicies                  streamingLocators      (the same)
 *   Jobs, Tasks (+ CancelJob)                 transforms/jobs        (Media Operator)
 *   JobTemplates, TaskTemplates               transforms             (Policy Administrator)
 *   MediaProcessors (read only)               transforms             (what a job runs; every role reads it)
 *   ContentKeys, ContentKeyAuthorization*,    contentKeyPolicies     (Policy Administrator)
 *     protection keys
 *   AssetDeliveryPolicies                     streamingPolicies      (Policy Administrator)
 *   Channels / Programs                       liveEvents / liveEvents/liveOutputs (Live Events Admin.)
 *   StreamingEndpoints                        streamingEndpoints     (Streaming Endpoints Admin.)
 *   Operations (read only)                    liveEventOperations    (polled after any live call)
 *   EncodingReservedUnitTypes, StorageAccounts,  the account itself for writes (Account Administrator);
 *     NotificationEndPoints                     reads as `mediaservices/<set>/read`, which the roles'
 *                                               `Microsoft.Media/mediaservices/{any}/read` grants
 *
 * Start/Stop/Reset/Scale are the ARM `…/start/action`-style actions; slates and ad marks write the
 * live event. The service document and `$metadata` need no action beyond admission.
 */

const PREFIX = 'Microsoft.Media/mediaservices';

/** ARM resource type below the account that each set's writes, deletes and reads act on. */
const RESOURCE_OF_SET: Readonly<Record<string, string>> = {
  Assets: 'assets',
  Files: 'assets',
  IngestManifests: 'assets',
  IngestManifestAssets: 'assets',
  IngestManifestFiles: 'assets',
  Locators: 'streamingLocators',
  AccessPolicies: 'streamingLocators',
  Jobs: 'transforms/jobs',
  Tasks: 'transforms/jobs',
  JobTemplates: 'transforms',
  TaskTemplates: 'transforms',
  MediaProcessors: 'transforms',
  ContentKeys: 'contentKeyPolicies',
  ContentKeyAuthorizationPolicies: 'contentKeyPolicies',
  ContentKeyAuthorizationPolicyOptions: 'contentKeyPolicies',
  AssetDeliveryPolicies: 'streamingPolicies',
  Channels: 'liveEvents',
  Programs: 'liveEvents/liveOutputs',
  StreamingEndpoints: 'streamingEndpoints',
  Operations: 'liveEventOperations',
};

/** Sets that are settings of the account itself in ARM: written as the account, read as its parts. */
const ACCOUNT_SETS: Readonly<Record<string, string>> = {
  EncodingReservedUnitTypes: 'encodingReservedUnitTypes',
  StorageAccounts: 'storageAccounts',
  NotificationEndPoints: 'notificationEndPoints',
};

/** Root service operations (`GET CancelJob?jobid=…`). */
const FUNCTION_ACTIONS: Readonly<Record<string, string>> = {
  CreateFileInfos: 'assets/write',
  CancelJob: 'transforms/jobs/cancelJob/action',
  GetProtectionKeyId: 'contentKeyPolicies/read',
  GetProtectionKey: 'contentKeyPolicies/read',
  RebindContentKey: 'contentKeyPolicies/write',
};

/** Actions bound to an entity: `Channels('…')/Start`. */
const BOUND_ACTIONS: Readonly<Record<string, string>> = {
  'Channels/Start': 'liveEvents/start/action',
  'Channels/Stop': 'liveEvents/stop/action',
  'Channels/Reset': 'liveEvents/reset/action',
  'Programs/Start': 'liveEvents/liveOutputs/write',
  'Programs/Stop': 'liveEvents/liveOutputs/write',
  'StreamingEndpoints/Start': 'streamingEndpoints/start/action',
  'StreamingEndpoints/Stop': 'streamingEndpoints/stop/action',
  'StreamingEndpoints/Scale': 'streamingEndpoints/scale/action',
  'ContentKeys/GetKeyDeliveryUrl': 'contentKeyPolicies/read',
  'Assets/Publish': 'assets/write',
};

const verbOf = (method: string): 'read' | 'write' | 'delete' =>
  method === 'GET' || method === 'HEAD' ? 'read' : method === 'DELETE' ? 'delete' : 'write';

const action = (resource: string, verb: string): string =>
  resource === '' ? `${PREFIX}/${verb}` : `${PREFIX}/${resource}/${verb}`;

/** An entity set's action for a verb; undefined for a set the API does not have. */
export function setAction(set: string, method: string): string | undefined {
  const verb = verbOf(method);
  const part = ACCOUNT_SETS[set];
  if (part !== undefined) return verb === 'read' ? action(part, verb) : action('', 'write');
  const resource = RESOURCE_OF_SET[set];
  return resource === undefined ? undefined : action(resource, verb);
}

/**
 * The action one request of the API needs; null when admission is all it needs (the service
 * document, `$metadata`, `$batch` itself, whose parts are checked one by one), undefined when the
 * path names nothing the API serves (the API answers that request with its own 404 or 405).
 */
export function operationAction(method: string, path: ResourcePath): string | null | undefined {
  switch (path.kind) {
    case 'serviceDocument':
    case 'metadata':
    case 'batch':
      return null;
    case 'function': {
      const fn = FUNCTION_ACTIONS[path.name];
      return fn === undefined ? undefined : `${PREFIX}/${fn}`;
    }
    case 'action': {
      const bound = BOUND_ACTIONS[`${path.set}/${path.action}`];
      if (bound !== undefined) return `${PREFIX}/${bound}`;
      // Slates and ad marks change the live event as it runs.
      return path.set === 'Channels' ? setAction('Channels', 'POST') : undefined;
    }
    case 'links':
      return setAction(path.set, method === 'GET' || method === 'HEAD' ? 'GET' : 'POST');
    default:
      return setAction(path.set, method);
  }
}

/**
 * The write-side actions of the v2 API: a caller holding none of them on the account is not let
 * in at all (401), as the service refused everyone below Contributor, Readers included, even for
 * reads. Holding one admits it; each request then needs its own action.
 */
export const ADMISSION_ACTIONS: readonly string[] = [
  ...new Set([
    action('assets', 'write'),
    action('', 'write'),
    ...Object.values(RESOURCE_OF_SET)
      .filter((r) => r !== 'liveEventOperations')
      .flatMap((r) => [action(r, 'write'), action(r, 'delete')]),
    ...[...Object.values(FUNCTION_ACTIONS), ...Object.values(BOUND_ACTIONS)]
      .filter((a) => !a.endsWith('/read'))
      .map((a) => `${PREFIX}/${a}`),
  ]),
];
